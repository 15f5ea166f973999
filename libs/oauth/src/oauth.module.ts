import { Module } from '@nestjs/common';
import { AuditModule } from '@app/audit';
import { AuthModule } from '@app/auth';
import { SpacesModule } from '@app/spaces';
import { AppRefresher } from './app-refresh';
import { AppTokenResolver } from './app-token.resolver';
import { AppTokens } from './app-tokens';
import { AuthorizeController } from './authorize.controller';
import { ClientAuthenticator } from './client-auth';
import { AuthorizationCodeGrant } from './code-grant';
import { DiscoveryController } from './discovery.controller';
import { GrantsController } from './grants.controller';
import { IntrospectController } from './introspect.controller';
import { AppTokenReader } from './token-reader';
import { RevokeController } from './revoke.controller';
import { AuthorizeService } from './authorize.service';
import { OAuthClientsController } from './oauth-clients.controller';
import { OAuthSessions } from './oauth-session';
import { OAuthClientsService } from './oauth-clients.service';
import { OAuthRetention } from './oauth-retention';

/** OAuth 2.0 for apps acting for a user: clients of a space (and, to come, the authorization-code flow). */
@Module({
  imports: [AuditModule, AuthModule, SpacesModule],
  controllers: [
    OAuthClientsController,
    AuthorizeController,
    DiscoveryController,
    RevokeController,
    GrantsController,
    IntrospectController,
  ],
  providers: [
    OAuthClientsService,
    AuthorizeService,
    OAuthSessions,
    AuthorizationCodeGrant,
    AppTokenResolver,
    AppTokens,
    AppRefresher,
    AppTokenReader,
    ClientAuthenticator,
    OAuthRetention,
  ],
  exports: [OAuthClientsService, OAuthRetention],
})
export class OAuthModule {}
