import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiConflict, Authenticated, CurrentPrincipal, impliedSpace, Principal } from '@app/common';
import { CollectionsService } from './collections.service';
import { CollectionDto, CollectionListDto, CreateCollectionDto, UpdateCollectionDto } from './dto/collection.dto';

/** Users name the space in the path. */
const USER_ROUTE = '/api/spaces/{space_id}/collections/…';

@ApiTags('collections')
@Authenticated({ apiKeys: true })
@Controller()
export class CollectionsController {
  constructor(private readonly collections: CollectionsService) {}

  @Post('api/spaces/:space_id/collections')
  @ApiOperation({
    operationId: 'createCollection',
    summary: 'Create a collection (space admin, or a key with is_admin / collections:admin)',
  })
  @ApiConflict('A collection with this name exists.')
  @ApiCreatedResponse({ type: CollectionDto })
  create(
    @CurrentPrincipal() principal: Principal,
    @Param('space_id') spaceId: string,
    @Body() dto: CreateCollectionDto,
  ): Promise<CollectionDto> {
    return this.collections.create(principal, spaceId, dto);
  }

  @Get('api/spaces/:space_id/collections')
  @ApiOperation({ operationId: 'listCollections', summary: 'The collections the caller may read' })
  @ApiOkResponse({ type: CollectionListDto })
  list(@CurrentPrincipal() principal: Principal, @Param('space_id') spaceId: string): Promise<CollectionListDto> {
    return this.collections.list(principal, spaceId);
  }

  @Get('api/collections')
  @ApiOperation({
    operationId: 'listCollectionsOfKey',
    summary: "The collections the API key may read, in the key's space (ekoDB)",
  })
  @ApiOkResponse({ type: CollectionListDto })
  listForKey(@CurrentPrincipal() principal: Principal): Promise<CollectionListDto> {
    return this.collections.list(principal, impliedSpace(principal, undefined, USER_ROUTE));
  }

  @Get('api/spaces/:space_id/collections/:name')
  @ApiOperation({ operationId: 'getCollection', summary: 'One collection and its fields' })
  @ApiOkResponse({ type: CollectionDto })
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('space_id') spaceId: string,
    @Param('name') name: string,
  ): Promise<CollectionDto> {
    return this.collections.get(principal, spaceId, name);
  }

  @Patch('api/spaces/:space_id/collections/:name')
  @ApiOperation({
    operationId: 'updateCollection',
    summary: 'Evolve the schema: remove, rename, redefine and add fields',
  })
  @ApiConflict(
    'Existing records do not fit the new field definitions (the count is in the detail), or values of a field made unique repeat.',
  )
  @ApiOkResponse({ type: CollectionDto })
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('space_id') spaceId: string,
    @Param('name') name: string,
    @Body() dto: UpdateCollectionDto,
  ): Promise<CollectionDto> {
    return this.collections.update(principal, spaceId, name, dto);
  }

  @Delete('api/spaces/:space_id/collections/:name')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteCollection', summary: 'Drop a collection and its records' })
  @ApiNoContentResponse()
  remove(
    @CurrentPrincipal() principal: Principal,
    @Param('space_id') spaceId: string,
    @Param('name') name: string,
  ): Promise<void> {
    return this.collections.remove(principal, spaceId, name);
  }
}
