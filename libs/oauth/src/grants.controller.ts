import { Controller, Delete, Get, HttpCode, Param } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { EntityManager } from '@mikro-orm/postgresql';
import { Authenticated, CurrentPrincipal, isUuid, notFound, Principal } from '@app/common';
import { actorOf, AuditWriter } from '@app/audit';
import { OAUTH_SCOPE_NAMES } from '@app/common';
import { grantsOfUser, withdrawGrant } from './oauth.queries';

export class AppGrantDto {
  @ApiProperty({ format: 'uuid' }) client_id: string;
  @ApiProperty({ maxLength: 100 }) client_name: string;
  @ApiProperty({ format: 'uuid' }) space_id: string;
  @ApiProperty({ maxLength: 200 }) space_name: string;
  @ApiProperty({ enum: OAUTH_SCOPE_NAMES, isArray: true, maxItems: OAUTH_SCOPE_NAMES.length }) scopes: string[];
  @ApiProperty({ format: 'date-time' }) granted_at: string;
}

export class AppGrantListDto {
  @ApiProperty({ type: [AppGrantDto], maxItems: 1000 }) data: AppGrantDto[];
}

/** The apps a user let act for them, and withdrawing one (its tokens stop at once). For users only. */
@ApiTags('auth')
@Authenticated()
@Controller('api/auth/grants')
export class GrantsController {
  constructor(
    private readonly em: EntityManager,
    private readonly audit: AuditWriter,
  ) {}

  @Get()
  @ApiOperation({ operationId: 'listAppGrants', summary: 'The apps you authorised to act for you' })
  @ApiOkResponse({ type: AppGrantListDto })
  async list(@CurrentPrincipal() principal: Principal): Promise<AppGrantListDto> {
    const rows = await grantsOfUser.rows(this.em, { userId: principal.id });
    return {
      data: rows.map((r) => ({ ...r, granted_at: new Date(r.granted_at).toISOString() })),
    };
  }

  @Delete(':client_id')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'withdrawAppGrant',
    summary: "Withdraw an app's grant; its tokens stop working at once",
  })
  @ApiNoContentResponse({ description: 'Withdrawn.' })
  async withdraw(@CurrentPrincipal() principal: Principal, @Param('client_id') clientId: string): Promise<void> {
    const missing = () => notFound('You have not authorised this app.');
    if (!isUuid(clientId)) throw missing();
    await this.em.transactional(async (em) => {
      const spaces = await withdrawGrant.rows(em, { userId: principal.id, clientId });
      if (spaces.length === 0) throw missing();
      for (const { space_id } of spaces)
        await this.audit.append(em, {
          spaceId: space_id,
          actor: actorOf(principal),
          action: 'oauth.grant_withdraw',
          resource: { type: 'oauth_client', id: clientId },
        });
    });
  }
}
