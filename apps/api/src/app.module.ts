import { DynamicModule, Module, Type } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { AppConfig, ConfigModule, Secrets } from '@app/config';
import { DatabaseModule, RedisModule } from '@app/database';
import { CommonModule, PrincipalGuard, ProblemFilter } from '@app/common';
import { AuthModule } from '@app/auth';
import { SpacesModule } from '@app/spaces';
import { ApiKeysModule } from '@app/api-keys';
import { CollectionsModule } from '@app/collections';
import { RateLimitGuard, RateLimitsModule } from '@app/rate-limits';
import { AuditModule } from '@app/audit';
import { OAuthModule } from '@app/oauth';
import { UsageModule } from '@app/usage';
import { HealthModule } from './health/health.module';
import { DocsModule } from './openapi';
import { SetupModule } from './setup/setup.module';

export interface AppModuleOptions {
  config: AppConfig;
  secrets: Secrets;
  databaseUrl: string;
  databaseKind: 'postgres' | 'embedded';
  onQuery?: (sql: string) => void;
  /** Extra modules; tests mount fixtures with it. */
  imports?: (Type | DynamicModule)[];
}

@Module({})
export class AppModule {
  static forRoot(options: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(options.config, options.secrets),
        CommonModule,
        DatabaseModule.forRoot({
          url: options.databaseUrl,
          kind: options.databaseKind,
          config: options.config,
          onQuery: options.onQuery,
        }),
        RedisModule.forRoot(options.config.redis.url),
        HealthModule,
        DocsModule,
        AuditModule,
        AuthModule,
        SpacesModule,
        ApiKeysModule,
        CollectionsModule,
        RateLimitsModule,
        OAuthModule,
        UsageModule,
        SetupModule,
        ...(options.imports ?? []),
      ],
      providers: [
        { provide: APP_FILTER, useClass: ProblemFilter },
        // Authentication first: later guards (rate limits) need to know the tenant.
        { provide: APP_GUARD, useClass: PrincipalGuard },
        { provide: APP_GUARD, useExisting: RateLimitGuard },
      ],
    };
  }
}
