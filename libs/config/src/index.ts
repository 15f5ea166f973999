export * from './app-config';
export * from './config.module';
export * from './env';
export * from './secrets';
export * from './tiers';
export * from './audit-retention';
