export * from './database.module';
export * from './embedded-postgres';
export * from './migrate';
export * from './orm-options';
export * from './redis.module';
export * from './embedded-template';
export * from './hot-query';
export * from './statement';
