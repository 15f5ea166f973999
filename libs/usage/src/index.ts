export * from './usage.module';
export * from './usage.meter';
export * from './usage.service';
export * from './usage-retention.service';
