import { Global, Module, DynamicModule } from '@nestjs/common';
import type { AppConfig } from './app-config';
import type { Secrets } from './secrets';

export const APP_CONFIG = Symbol('APP_CONFIG');
export const SECRETS = Symbol('SECRETS');

/** Config is parsed once by the caller (main or a test) and handed in, so tests can vary it. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig, secrets: Secrets): DynamicModule {
    return {
      module: ConfigModule,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: SECRETS, useValue: secrets },
      ],
      exports: [APP_CONFIG, SECRETS],
    };
  }
}
