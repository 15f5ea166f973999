import { Controller, Get, Redirect, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '@app/common';

/** `/` is where a new user lands first: send them to the API reference (later, the console). */
@Public()
@ApiExcludeController()
@Controller()
export class RootController {
  @Get()
  @Redirect('/docs', 302)
  root(): void {}

  /**
   * Swagger UI served at /docs sends `<origin>/oauth2-redirect.html` as its OAuth
   * redirect URI (it strips the last path segment); the page lives under /docs, so the
   * callback is passed on there with its query intact.
   */
  @Get('oauth2-redirect.html')
  oauth2Redirect(@Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    const at = request.url.indexOf('?');
    void reply
      .status(302)
      .header('location', `/docs/oauth2-redirect.html${at < 0 ? '' : request.url.slice(at)}`)
      .send();
  }
}
