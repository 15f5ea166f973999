import { Module } from '@nestjs/common';
import { AuditLogsController } from './audit-logs.controller';
import { AuditLogsService } from './audit-logs.service';
import { AuditObserver } from './audit.observer';
import { AuditRetention } from './audit-retention.service';
import { AuditWriter } from './audit.writer';
import { AuditSequencer } from './audit-sequencer';

/** The audit log: every module writes through AuditWriter; errors reach it through the problem filter. */
@Module({
  controllers: [AuditLogsController],
  providers: [AuditWriter, AuditLogsService, AuditObserver, AuditRetention, AuditSequencer],
  exports: [AuditWriter, AuditObserver, AuditRetention, AuditSequencer],
})
export class AuditModule {}
