import { Controller, Get, Redirect } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '@app/common';

/** `/` is where a new user lands first: send them to the API reference (later, the console). */
@Public()
@ApiExcludeController()
@Controller()
export class RootController {
  @Get()
  @Redirect('/docs', 302)
  root(): void {}
}
