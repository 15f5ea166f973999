import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentPrincipal, Page, Principal } from '@app/common';
import { AuditLogsService } from './audit-logs.service';
import { AuditLogDto, AuditLogPageDto, AuditLogQueryDto, AuditVerifyDto } from './dto/audit-log.dto';

@ApiTags('audit')
@Controller('api')
export class AuditLogsController {
  constructor(private readonly logs: AuditLogsService) {}

  @Get('spaces/:space_id/audit-logs')
  @Authenticated({ apiKeys: true })
  @ApiOperation({
    operationId: 'listAuditLogs',
    summary: "The space's audit log, newest first (admins, owners, keys with audit:read)",
  })
  @ApiOkResponse({ type: AuditLogPageDto })
  list(
    @CurrentPrincipal() principal: Principal,
    @Param('space_id') spaceId: string,
    @Query() query: AuditLogQueryDto,
  ): Promise<Page<AuditLogDto>> {
    return this.logs.list(principal, spaceId, query);
  }

  @Get('spaces/:space_id/audit-logs/verify')
  @Authenticated({ apiKeys: true })
  @ApiOperation({ operationId: 'verifyAuditLogs', summary: "Recompute the space's hash chain and say where it breaks" })
  @ApiOkResponse({ type: AuditVerifyDto })
  verify(@CurrentPrincipal() principal: Principal, @Param('space_id') spaceId: string): Promise<AuditVerifyDto> {
    return this.logs.verify(principal, spaceId);
  }

  @Get('audit-logs')
  @Authenticated()
  @ApiOperation({
    operationId: 'listPlatformAuditLogs',
    summary: 'Account-level events (sign-up, login, refresh): platform admins only',
  })
  @ApiOkResponse({ type: AuditLogPageDto })
  listPlatform(@CurrentPrincipal() principal: Principal, @Query() query: AuditLogQueryDto): Promise<Page<AuditLogDto>> {
    return this.logs.listPlatform(principal, query);
  }

  @Get('audit-logs/verify')
  @Authenticated()
  @ApiOperation({
    operationId: 'verifyPlatformAuditLogs',
    summary: "Verify the platform log's hash chain: platform admins only",
  })
  @ApiOkResponse({ type: AuditVerifyDto })
  verifyPlatform(@CurrentPrincipal() principal: Principal): Promise<AuditVerifyDto> {
    return this.logs.verifyPlatform(principal);
  }
}
