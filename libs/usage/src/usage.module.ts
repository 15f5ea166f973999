import { Module } from '@nestjs/common';
import { UsageController } from './usage.controller';
import { UsageMeter } from './usage.meter';
import { UsageRetention } from './usage-retention.service';
import { UsageService } from './usage.service';

/** Usage analytics per space and key (API.md, "Usage and metrics"). */
@Module({
  controllers: [UsageController],
  providers: [UsageMeter, UsageService, UsageRetention],
  exports: [UsageMeter, UsageService],
})
export class UsageModule {}
