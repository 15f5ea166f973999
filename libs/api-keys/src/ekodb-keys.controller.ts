import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  Authenticated,
  CredentialInBody,
  CurrentPrincipal,
  impliedSpace,
  Page,
  PageQueryDto,
  Principal,
} from '@app/common';
import { ApiKeysService } from './api-keys.service';
import { ApiKeyListItemDto, ApiKeyPageDto, ApiKeyWithSecretDto, RegisterApiKeyDto } from './dto/api-key.dto';

/** Users manage keys under their space's own path. */
const USER_ROUTE = '/api/spaces/{space_id}/api-keys';

/** ekoDB-compatible key management, the space implied by the admin credential. */
@ApiTags('api-keys')
@Authenticated({ apiKeys: true })
@Controller('api/auth')
export class EkoDbKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post('register')
  @CredentialInBody('api_key')
  @ApiOperation({
    operationId: 'registerApiKey',
    summary: 'ekoDB: create a key in the admin credential’s space (header, or `api_key` in the body)',
  })
  @ApiCreatedResponse({ type: ApiKeyWithSecretDto })
  register(@CurrentPrincipal() principal: Principal, @Body() dto: RegisterApiKeyDto): Promise<ApiKeyWithSecretDto> {
    const { api_key: _credential, ...fields } = dto;
    return this.keys.create(principal, impliedSpace(principal, undefined, USER_ROUTE), fields);
  }

  @Get('keys')
  @ApiOperation({ operationId: 'listApiKeysOfCredential', summary: "ekoDB: the credential's space's keys" })
  @ApiOkResponse({ type: ApiKeyPageDto })
  list(@CurrentPrincipal() principal: Principal, @Query() query: PageQueryDto): Promise<Page<ApiKeyListItemDto>> {
    return this.keys.list(principal, impliedSpace(principal, undefined, USER_ROUTE), query);
  }

  @Delete('keys/:key_id')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteApiKeyOfCredential', summary: 'ekoDB: delete a key of the credential’s space' })
  @ApiNoContentResponse()
  remove(@CurrentPrincipal() principal: Principal, @Param('key_id') keyId: string): Promise<void> {
    return this.keys.remove(principal, impliedSpace(principal, undefined, USER_ROUTE), keyId);
  }
}
