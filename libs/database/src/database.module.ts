import { DynamicModule, Module } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import type { AppConfig } from '@app/config';
import { ormOptions } from './orm-options';

export interface DatabaseModuleOptions {
  /** The resolved connection URL (real Postgres or the embedded socket). */
  url: string;
  config: AppConfig;
  onQuery?: (sql: string) => void;
}

@Module({})
export class DatabaseModule {
  static forRoot(options: DatabaseModuleOptions): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        MikroOrmModule.forRoot({
          ...ormOptions({
            url: options.url,
            poolSize: options.config.database.poolSize,
            debugSql: options.config.database.debugSql,
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
