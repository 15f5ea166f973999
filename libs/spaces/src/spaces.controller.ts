import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentPrincipal, forbidden, Page, PageQueryDto, Principal } from '@app/common';
import { CreateSpaceDto, SpaceDto, SpacePageDto, UpdateSpaceDto } from './dto/space.dto';
import { SpacesService } from './spaces.service';

@ApiTags('spaces')
@Controller('api/spaces')
export class SpacesController {
  constructor(private readonly spaces: SpacesService) {}

  @Post()
  @Authenticated()
  @ApiOperation({ operationId: 'createSpace', summary: 'Create a space; the caller becomes its owner' })
  @ApiCreatedResponse({ type: SpaceDto })
  create(@CurrentPrincipal() principal: Principal, @Body() dto: CreateSpaceDto): Promise<SpaceDto> {
    if (principal.kind !== 'user') throw forbidden('Only users create spaces.');
    return this.spaces.create(principal, dto);
  }

  @Get()
  @Authenticated({ apiKeys: true })
  @ApiOperation({ operationId: 'listSpaces', summary: "The caller's spaces" })
  @ApiOkResponse({ type: SpacePageDto })
  list(@CurrentPrincipal() principal: Principal, @Query() query: PageQueryDto): Promise<Page<SpaceDto>> {
    return this.spaces.list(principal, query);
  }

  @Get(':space_id')
  @Authenticated({ apiKeys: true })
  @ApiOperation({ operationId: 'getSpace', summary: 'One space, with its tier and rate limit' })
  @ApiOkResponse({ type: SpaceDto })
  get(@CurrentPrincipal() principal: Principal, @Param('space_id') spaceId: string): Promise<SpaceDto> {
    return this.spaces.get(principal, spaceId);
  }

  @Patch(':space_id')
  @Authenticated()
  @ApiOperation({ operationId: 'updateSpace', summary: 'Rename (owner) or change the tier (platform admin)' })
  @ApiOkResponse({ type: SpaceDto })
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('space_id') spaceId: string,
    @Body() dto: UpdateSpaceDto,
  ): Promise<SpaceDto> {
    return this.spaces.update(principal, spaceId, dto);
  }

  @Delete(':space_id')
  @Authenticated()
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteSpace', summary: 'Delete a space and everything in it (owner)' })
  @ApiNoContentResponse()
  remove(@CurrentPrincipal() principal: Principal, @Param('space_id') spaceId: string): Promise<void> {
    return this.spaces.remove(principal, spaceId);
  }
}
