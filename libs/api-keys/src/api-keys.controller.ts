import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiExtraModels,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Authenticated, CurrentPrincipal, Page, PageQueryDto, Principal } from '@app/common';
import { ApiKeysService } from './api-keys.service';
import {
  ApiKeyDto,
  ApiKeyListItemDto,
  ApiKeyPageDto,
  ApiKeyWithSecretDto,
  CreateApiKeyDto,
  MeApiKeyDto,
  UpdateApiKeyDto,
} from './dto/api-key.dto';

@ApiTags('api-keys')
// GET /api/auth/me (in the auth module) answers this for keys.
@ApiExtraModels(MeApiKeyDto)
@Authenticated({ apiKeys: true })
@Controller('api/spaces/:space_id/api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post()
  @ApiOperation({ operationId: 'createApiKey', summary: 'Create an API key; the secret is in this response only' })
  @ApiCreatedResponse({ type: ApiKeyWithSecretDto })
  create(
    @CurrentPrincipal() principal: Principal,
    @Param('space_id') spaceId: string,
    @Body() dto: CreateApiKeyDto,
  ): Promise<ApiKeyWithSecretDto> {
    return this.keys.create(principal, spaceId, dto);
  }

  @Get()
  @ApiOperation({ operationId: 'listApiKeys', summary: "The space's API keys (never their secrets)" })
  @ApiOkResponse({ type: ApiKeyPageDto })
  list(
    @CurrentPrincipal() principal: Principal,
    @Param('space_id') spaceId: string,
    @Query() query: PageQueryDto,
  ): Promise<Page<ApiKeyListItemDto>> {
    return this.keys.list(principal, spaceId, query);
  }

  @Get(':key_id')
  @ApiOperation({ operationId: 'getApiKey', summary: 'One API key' })
  @ApiOkResponse({ type: ApiKeyDto })
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('space_id') spaceId: string,
    @Param('key_id') keyId: string,
  ): Promise<ApiKeyDto> {
    return this.keys.get(principal, spaceId, keyId);
  }

  @Patch(':key_id')
  @ApiOperation({
    operationId: 'updateApiKey',
    summary: 'Change a key; effective from the next request, its JWTs included',
  })
  @ApiOkResponse({ type: ApiKeyDto })
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('space_id') spaceId: string,
    @Param('key_id') keyId: string,
    @Body() dto: UpdateApiKeyDto,
  ): Promise<ApiKeyDto> {
    return this.keys.update(principal, spaceId, keyId, dto);
  }

  @Post(':key_id/regenerate')
  @ApiOperation({
    operationId: 'regenerateApiKey',
    summary: 'New secret, same id and permissions; the old secret and its JWTs die now',
  })
  @ApiCreatedResponse({ type: ApiKeyWithSecretDto })
  regenerate(
    @CurrentPrincipal() principal: Principal,
    @Param('space_id') spaceId: string,
    @Param('key_id') keyId: string,
  ): Promise<ApiKeyWithSecretDto> {
    return this.keys.regenerate(principal, spaceId, keyId);
  }

  @Delete(':key_id')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'deleteApiKey',
    summary: 'Delete a key; it and its JWTs are rejected from the next request',
  })
  @ApiNoContentResponse()
  remove(
    @CurrentPrincipal() principal: Principal,
    @Param('space_id') spaceId: string,
    @Param('key_id') keyId: string,
  ): Promise<void> {
    return this.keys.remove(principal, spaceId, keyId);
  }
}
