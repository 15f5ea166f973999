import { Module } from '@nestjs/common';
import { AuthModule } from '@app/auth';
import { SpacesModule } from '@app/spaces';
import { ApiKeysModule } from '@app/api-keys';
import { SetupController } from './setup.controller';
import { SetupService } from './setup.service';

/** First-run setup: it composes the auth, spaces and api-keys libs, so it lives in the app. */
@Module({
  imports: [AuthModule, SpacesModule, ApiKeysModule],
  controllers: [SetupController],
  providers: [SetupService],
})
export class SetupModule {}
