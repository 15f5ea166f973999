import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentPrincipal, Page, PageQueryDto, Principal } from '@app/common';
import {
  CreateOAuthClientDto,
  OAuthClientDto,
  OAuthClientPageDto,
  OAuthClientWithSecretDto,
  UpdateOAuthClientDto,
} from './dto/oauth-client.dto';
import { OAuthClientsService } from './oauth-clients.service';

@ApiTags('oauth-clients')
@Authenticated({ apiKeys: true })
@Controller('api/spaces/:space_id/oauth-clients')
export class OAuthClientsController {
  constructor(private readonly clients: OAuthClientsService) {}

  @Post()
  @ApiOperation({
    operationId: 'createOAuthClient',
    summary: "Register an app that acts for the space's users; a confidential client's secret is in this response only",
  })
  @ApiCreatedResponse({ type: OAuthClientWithSecretDto })
  create(
    @CurrentPrincipal() principal: Principal,
    @Param('space_id') spaceId: string,
    @Body() dto: CreateOAuthClientDto,
  ): Promise<OAuthClientWithSecretDto> {
    return this.clients.create(principal, spaceId, dto);
  }

  @Get()
  @ApiOperation({ operationId: 'listOAuthClients', summary: "The space's OAuth clients (never their secrets)" })
  @ApiOkResponse({ type: OAuthClientPageDto })
  list(
    @CurrentPrincipal() principal: Principal,
    @Param('space_id') spaceId: string,
    @Query() query: PageQueryDto,
  ): Promise<Page<OAuthClientDto>> {
    return this.clients.list(principal, spaceId, query);
  }

  @Get(':client_id')
  @ApiOperation({ operationId: 'getOAuthClient', summary: 'One OAuth client' })
  @ApiOkResponse({ type: OAuthClientDto })
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('space_id') spaceId: string,
    @Param('client_id') clientId: string,
  ): Promise<OAuthClientDto> {
    return this.clients.get(principal, spaceId, clientId);
  }

  @Patch(':client_id')
  @ApiOperation({ operationId: 'updateOAuthClient', summary: "Change a client's name, redirect URIs or scopes" })
  @ApiOkResponse({ type: OAuthClientDto })
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('space_id') spaceId: string,
    @Param('client_id') clientId: string,
    @Body() dto: UpdateOAuthClientDto,
  ): Promise<OAuthClientDto> {
    return this.clients.update(principal, spaceId, clientId, dto);
  }

  @Post(':client_id/regenerate-secret')
  @ApiOperation({
    operationId: 'regenerateOAuthClientSecret',
    summary: 'A new secret, shown once; the old one stops working',
  })
  @ApiCreatedResponse({ type: OAuthClientWithSecretDto })
  regenerate(
    @CurrentPrincipal() principal: Principal,
    @Param('space_id') spaceId: string,
    @Param('client_id') clientId: string,
  ): Promise<OAuthClientWithSecretDto> {
    return this.clients.regenerateSecret(principal, spaceId, clientId);
  }

  @Delete(':client_id')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteOAuthClient', summary: 'Delete a client; tokens issued to it stop working' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  remove(
    @CurrentPrincipal() principal: Principal,
    @Param('space_id') spaceId: string,
    @Param('client_id') clientId: string,
  ): Promise<void> {
    return this.clients.remove(principal, spaceId, clientId);
  }
}
