import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentPrincipal, Principal } from '@app/common';
import { UsageService } from './usage.service';
import { UsageQueryDto, UsageSeriesDto } from './dto/usage.dto';

@ApiTags('usage')
@Controller('api')
export class UsageController {
  constructor(private readonly usage: UsageService) {}

  @Get('spaces/:space_id/usage')
  @Authenticated({ apiKeys: true })
  @ApiOperation({
    operationId: 'getSpaceUsage',
    summary: "The space's requests per minute, hour or day, or one key's (admins, owners, keys with audit:read)",
    description:
      'One point per period of [from, to), at most 400, with counts by status class and latency percentiles. ' +
      "Requests refused for a revoked, expired, deleted or address-restricted key count for that key. A period's " +
      'figures are complete once every instance has flushed (within USAGE_FLUSH_MS, 10 s by default). Minutes ' +
      "are kept 2 days, hours 31 days, days as long as the space's tier keeps its audit log.",
  })
  @ApiOkResponse({ type: UsageSeriesDto })
  ofSpace(
    @CurrentPrincipal() principal: Principal,
    @Param('space_id') spaceId: string,
    @Query() query: UsageQueryDto,
  ): Promise<UsageSeriesDto> {
    return this.usage.ofSpace(principal, spaceId, query);
  }

  @Get('usage')
  @Authenticated()
  @ApiOperation({
    operationId: 'getPlatformUsage',
    summary: 'Requests across the platform, including refused ones that named no space: platform admins only',
  })
  @ApiOkResponse({ type: UsageSeriesDto })
  ofPlatform(@CurrentPrincipal() principal: Principal, @Query() query: UsageQueryDto): Promise<UsageSeriesDto> {
    return this.usage.ofPlatform(principal, query);
  }
}
