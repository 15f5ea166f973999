import { Global, Module } from '@nestjs/common';
import { PROBLEM_OBSERVER } from '@app/common';
import { AuditLogsController } from './audit-logs.controller';
import { AuditLogsService } from './audit-logs.service';
import { AuditObserver } from './audit.observer';
import { AuditRetention } from './audit-retention.service';
import { AuditWriter } from './audit.writer';

/** The audit log: every module writes through AuditWriter; errors reach it through the problem filter. */
@Global()
@Module({
  controllers: [AuditLogsController],
  providers: [
    AuditWriter,
    AuditLogsService,
    AuditObserver,
    AuditRetention,
    { provide: PROBLEM_OBSERVER, useExisting: AuditObserver },
  ],
  exports: [AuditWriter, AuditObserver, AuditRetention, PROBLEM_OBSERVER],
})
export class AuditModule {}
