export * from './budgets';
export * from './rate-limit.guard';
export * from './rate-limit.store';
export * from './rate-limits.module';
export * from './rate-limits.module-tokens';
export * from './redis-rate-limit.store';
export * from './sliding-window';
