import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Authenticated, CurrentPrincipal, Principal } from '@app/common';
import { SpaceOpenApiService } from './space-openapi.service';

@ApiTags('records')
@Authenticated({ apiKeys: true })
@Controller('api/spaces/:space_id/openapi.json')
export class SpaceOpenApiController {
  constructor(private readonly docs: SpaceOpenApiService) {}

  /**
   * The record endpoints of this space typed per collection (`Orders`, `OrdersInput`,
   * `OrdersPatch`), limited to the collections the caller may read, the fields it may
   * read or write and the operations it may perform. Feed it to a client generator.
   * Answers 304 to a matching `If-None-Match`.
   */
  @Get()
  @ApiOperation({
    operationId: 'getSpaceOpenApi',
    summary: "This space's records as an OpenAPI document, typed to the caller's view",
  })
  @ApiProduces('application/json')
  @ApiOkResponse({ description: 'An OpenAPI 3.0 document.', schema: { type: 'object', additionalProperties: true } })
  @ApiResponse({ status: 304, description: 'Unchanged since the `ETag` sent in `If-None-Match`.' })
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('space_id') spaceId: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const { json, etag } = await this.docs.document(principal, spaceId);
    // Private: the document depends on the caller's permissions.
    reply
      .header('Cache-Control', 'private, no-cache')
      .header('ETag', etag)
      .header('Vary', 'Authorization, X-Api-Key, x-undb-api-token');
    if (request.headers['if-none-match'] === etag) {
      await reply.status(304).send();
      return;
    }
    await reply.status(200).type('application/json; charset=utf-8').send(json);
  }
}
