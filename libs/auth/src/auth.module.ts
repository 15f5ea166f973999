import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { AuditModule } from '@app/audit';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { CredentialAuthenticator } from './credential.authenticator';
import { JwksController } from './jwks.controller';
import { JwtStrategy } from './jwt.strategy';
import { MeService } from './me.service';
import { OAuthController } from './oauth.controller';
import { OAuthGrants } from './oauth-grants';
import { RefreshTokenGrant } from './refresh-grant';
import { RefreshTokensService } from './refresh-tokens.service';
import { SigningKeysService } from './signing-keys.service';
import { UserSchema } from './user.entity';

@Module({
  imports: [MikroOrmModule.forFeature([UserSchema]), PassportModule, JwtModule.register({}), AuditModule],
  controllers: [AuthController, OAuthController, JwksController],
  providers: [
    AuthService,
    RefreshTokensService,
    SigningKeysService,
    JwtStrategy,
    CredentialAuthenticator,
    MeService,
    OAuthGrants,
    RefreshTokenGrant,
  ],
  exports: [SigningKeysService, RefreshTokensService, MeService, OAuthGrants, AuthService],
})
export class AuthModule {}
