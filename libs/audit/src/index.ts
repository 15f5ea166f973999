export * from './audit-event';
export * from './audit.writer';
export * from './audit.observer';
export * from './audit-retention.service';
export * from './audit.module';
export * from './request-meta';
export * from './route-action';
export * from './audit-sequencer';
