import { Module } from '@nestjs/common';
import { AuditModule } from '@app/audit';
import { SpacesModule } from '@app/spaces';
import { OAuthClientsController } from './oauth-clients.controller';
import { OAuthClientsService } from './oauth-clients.service';

/** OAuth 2.0 for apps acting for a user: clients of a space (and, to come, the authorization-code flow). */
@Module({
  imports: [AuditModule, SpacesModule],
  controllers: [OAuthClientsController],
  providers: [OAuthClientsService],
  exports: [OAuthClientsService],
})
export class OAuthModule {}
