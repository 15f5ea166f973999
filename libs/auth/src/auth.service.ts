import { Inject, Injectable } from '@nestjs/common';
import { EntityManager, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { APP_CONFIG, AppConfig } from '@app/config';
import { conflict, ProblemException, uuidv7 } from '@app/common';
import { LoginDto, SignupDto } from './dto/credentials.dto';
import { SignupResponseDto, TokenPairDto, UserDto } from './dto/session.dto';
import { dummyPasswordHash, hashPassword, verifyPassword } from './password';
import { RefreshTokensService } from './refresh-tokens.service';
import { SigningKeysService } from './signing-keys.service';
import { User, UserSchema } from './user.entity';

const invalidCredentials = () =>
  new ProblemException(401, { type: 'invalid-credentials', detail: 'The email or password is incorrect.' });

/** Raised for a refresh token that cannot be used; `reason` distinguishes it for audit, not for the client. */
export class InvalidRefreshToken extends ProblemException {
  constructor(readonly reason: string) {
    super(401, { type: 'invalid-refresh-token', detail: 'The refresh token is invalid, expired or revoked.' });
  }
}

export function toUserDto(user: User): UserDto {
  return { id: user.id, email: user.email, name: user.name, created_at: user.createdAt.toISOString() };
}

@Injectable()
export class AuthService {
  constructor(
    private readonly em: EntityManager,
    private readonly refreshTokens: RefreshTokensService,
    private readonly keys: SigningKeysService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async signup(dto: SignupDto): Promise<SignupResponseDto> {
    const passwordHash = await hashPassword(dto.password);
    try {
      return await this.em.transactional(async (em) => {
        const user = em.create(UserSchema, { id: uuidv7(), email: dto.email, name: dto.name ?? null, passwordHash });
        await em.flush();
        const { token } = await this.refreshTokens.startFamily(em, user.id);
        return { user: toUserDto(user), ...(await this.pair(user, token)) };
      });
    } catch (error) {
      // The unique index decides races between concurrent sign-ups with one email.
      if (error instanceof UniqueConstraintViolationException) throw conflict('An account with this email already exists.');
      throw error;
    }
  }

  async login(dto: LoginDto): Promise<TokenPairDto> {
    const user = await this.em.findOne(UserSchema, { email: dto.email });
    // An unknown email still costs one hash, so timing does not reveal which emails exist.
    const ok = await verifyPassword(dto.password, user?.passwordHash ?? (await dummyPasswordHash()));
    if (!user || !ok) throw invalidCredentials();
    const { token } = await this.em.transactional((em) => this.refreshTokens.startFamily(em, user.id));
    return this.pair(user, token);
  }

  async refresh(refreshToken: string): Promise<TokenPairDto> {
    const outcome = await this.em.transactional((em) => this.refreshTokens.rotate(em, refreshToken));
    if (!outcome.ok) throw new InvalidRefreshToken(outcome.reason);
    const user = await this.em.findOne(UserSchema, { id: outcome.userId });
    if (!user) throw new InvalidRefreshToken('unknown');
    return this.pair(user, outcome.token);
  }

  async logout(refreshToken: string): Promise<void> {
    await this.em.transactional((em) => this.refreshTokens.revokeByToken(em, refreshToken));
  }

  private async pair(user: User, refreshToken: string): Promise<TokenPairDto> {
    const ttl = this.config.auth.accessTokenTtl;
    const access = await this.keys.sign(user.id, { kind: 'user', email: user.email, name: user.name }, ttl);
    return { access_token: access, refresh_token: refreshToken, expires_in: ttl, token_type: 'Bearer' };
  }
}
