import { DynamicModule, Global, Module } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import type { AppConfig } from '@app/config';
import { HotQueries } from './hot-query';
import { ormOptions } from './orm-options';

/** Where the database is, for the few parts that open a connection of their own (LISTEN). */
export interface DatabaseLocation {
  url: string;
  kind: 'postgres' | 'embedded';
}
export const DATABASE_LOCATION = Symbol('DATABASE_LOCATION');

export interface DatabaseModuleOptions {
  /** The resolved connection URL (real Postgres or the embedded socket). */
  url: string;
  kind: 'postgres' | 'embedded';
  config: AppConfig;
  onQuery?: (sql: string) => void;
}

@Global()
@Module({})
export class DatabaseModule {
  static forRoot(options: DatabaseModuleOptions): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [
        { provide: DATABASE_LOCATION, useValue: { url: options.url, kind: options.kind } satisfies DatabaseLocation },
        HotQueries,
      ],
      exports: [DATABASE_LOCATION, HotQueries],
      imports: [
        MikroOrmModule.forRoot({
          ...ormOptions({
            url: options.url,
            poolSize: options.config.database.poolSize,
            debugSql: options.config.database.debugSql,
            timeouts: {
              statementMs: options.config.database.statementTimeoutMs,
              connectMs: options.config.database.connectTimeoutMs,
            },
            entities: [],
            onQuery: options.onQuery,
          }),
          driver: PostgreSqlDriver,
          autoLoadEntities: true,
          registerRequestContext: true,
        }),
      ],
    };
  }
}
