export * from './rate-limit.store';
export * from './redis-rate-limit.store';
export * from './sliding-window';
