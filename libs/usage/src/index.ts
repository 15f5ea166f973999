export * from './usage.module';
export * from './usage.meter';
export * from './usage.service';
