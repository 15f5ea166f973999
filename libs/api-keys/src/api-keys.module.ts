import { Module } from '@nestjs/common';
import { AuditModule } from '@app/audit';
import { AuthModule } from '@app/auth';
import { SpacesModule } from '@app/spaces';
import { UsageModule } from '@app/usage';
import { ApiKeyCache } from './api-key-cache.service';
import { ApiKeyVerifier } from './api-key.verifier';
import { ApiKeysController } from './api-keys.controller';
import { ApiKeysService } from './api-keys.service';
import { EkoDbKeysController } from './ekodb-keys.controller';
import { ApiKeyAuthExtensions } from './key-grants';
import { KeyTokenController } from './key-token.controller';
import { LastUsedTracker } from './last-used.tracker';

@Module({
  imports: [AuditModule, AuthModule, SpacesModule, UsageModule],
  controllers: [ApiKeysController, EkoDbKeysController, KeyTokenController],
  providers: [ApiKeyCache, ApiKeyVerifier, ApiKeysService, LastUsedTracker, ApiKeyAuthExtensions],
  exports: [ApiKeysService, ApiKeyCache, LastUsedTracker],
})
export class ApiKeysModule {}
