import { Inject, Injectable } from '@nestjs/common';
import { EntityManager, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { APP_CONFIG, AppConfig } from '@app/config';
import { conflict, ProblemException, uuidv7 } from '@app/common';
import { ANONYMOUS, AuditActor, AuditWriter } from '@app/audit';
import { LoginDto, SignupDto } from './dto/credentials.dto';
import { SignupResponseDto, TokenPairDto, UserDto } from './dto/session.dto';
import { dummyPasswordHash, hashPassword, verifyPassword } from './password';
import { RefreshTokensService } from './refresh-tokens.service';
import { SigningKeysService } from './signing-keys.service';
import { User, UserSchema } from './user.entity';
import { anyUser, lockFirstUser } from './auth.queries';

const invalidCredentials = () =>
  new ProblemException(401, { type: 'invalid-credentials', detail: 'The email or password is incorrect.' });

/** Raised for a refresh token that cannot be used; `reason` distinguishes it for audit, not for the client. */
export class InvalidRefreshToken extends ProblemException {
  constructor(readonly reason: string) {
    super(401, { type: 'invalid-refresh-token', detail: 'The refresh token is invalid, expired or revoked.' });
  }
}

const userActor = (user: Pick<User, 'id' | 'email'>): AuditActor => ({ type: 'user', id: user.id, label: user.email });

export function toUserDto(user: User): UserDto {
  return { id: user.id, email: user.email, name: user.name, created_at: user.createdAt.toISOString() };
}

@Injectable()
export class AuthService {
  constructor(
    private readonly em: EntityManager,
    private readonly refreshTokens: RefreshTokensService,
    private readonly keys: SigningKeysService,
    private readonly audit: AuditWriter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * The first-run setup's user: a platform admin, and only while there is no user at all
   * (an advisory lock orders concurrent setups, so exactly one can win).
   */
  /** Whether any account exists yet (the first-run setup asks). */
  async hasUsers(): Promise<boolean> {
    return (await anyUser.first(this.em.getConnection(), {})) !== undefined;
  }

  signupFirstUser(dto: SignupDto): Promise<SignupResponseDto> {
    return this.signup(dto, true);
  }

  async signup(dto: SignupDto, firstUser = false): Promise<SignupResponseDto> {
    const passwordHash = await hashPassword(dto.password);
    try {
      return await this.em.transactional(async (em) => {
        if (firstUser) {
          await lockFirstUser.rows(em, {});
          if (await anyUser.first(em, {})) throw conflict('Portico is already set up: sign in instead.');
        }
        const user = em.create(UserSchema, {
          id: uuidv7(),
          email: dto.email,
          name: dto.name ?? null,
          passwordHash,
          isPlatformAdmin: firstUser,
        });
        await em.flush();
        const { token, familyId } = await this.refreshTokens.startFamily(em, user.id);
        await this.audit.append(em, {
          spaceId: null,
          actor: userActor(user),
          action: 'user.signup',
          resource: { type: 'user', id: user.id },
          metadata: { family_id: familyId },
        });
        return { user: toUserDto(user), ...(await this.pair(user, token)) };
      });
    } catch (error) {
      // The unique index decides races between concurrent sign-ups with one email.
      if (error instanceof UniqueConstraintViolationException)
        throw conflict('An account with this email already exists.');
      throw error;
    }
  }

  async login(dto: LoginDto): Promise<TokenPairDto> {
    return this.openSession(await this.verifyCredentials(dto.email, dto.password));
  }

  /**
   * The user these credentials belong to, or a 401 (audited, with the attempted email
   * as the label and never the password). Also the sign-in of the /oauth pages.
   */
  async verifyCredentials(email: string, password: string): Promise<User> {
    const user = await this.em.findOne(UserSchema, { email });
    // An unknown email still costs one hash, so timing does not reveal which emails exist.
    const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyPasswordHash()));
    if (!user || !ok) {
      // Account-level: an unknown email has no space.
      await this.audit.appendNow({
        spaceId: null,
        actor: { ...ANONYMOUS, label: email },
        action: 'auth.login',
        outcome: 'failure',
        resource: { type: 'user', id: user?.id ?? null },
        metadata: { reason: user ? 'wrong_password' : 'unknown_email' },
      });
      throw invalidCredentials();
    }
    return user;
  }

  async refresh(refreshToken: string): Promise<TokenPairDto> {
    const { outcome, user } = await this.em.transactional(async (em) => {
      const outcome = await this.refreshTokens.rotate(em, refreshToken);
      // An app's refresh token renews the app's access (the token endpoint), never a user's own session:
      // refused before anything is spent (the throw rolls the rotation back).
      if (outcome.ok && outcome.authorizationId) throw new InvalidRefreshToken('app');
      const user = outcome.userId ? await em.findOne(UserSchema, { id: outcome.userId }) : null;
      const actor = user ? userActor(user) : ANONYMOUS;
      const resource = { type: 'session', id: outcome.familyId ?? null };
      if (outcome.ok) {
        await this.audit.append(em, {
          spaceId: null,
          actor,
          action: 'auth.refresh',
          resource,
          metadata: outcome.reusedWithinWindow ? { retried_within_window: true } : null,
        });
      } else if (outcome.reason === 'reused') {
        // Committed with the family's revocation: a stolen token was presented, or its owner's was.
        await this.audit.append(em, {
          spaceId: null,
          actor,
          action: 'auth.refresh_reuse',
          outcome: 'denied',
          resource,
          metadata: { family_revoked: true },
        });
      }
      return { outcome, user };
    });
    if (!outcome.ok) {
      if (outcome.reason !== 'reused') {
        await this.audit.appendNow({
          spaceId: null,
          actor: user ? userActor(user) : ANONYMOUS,
          action: 'auth.refresh',
          outcome: 'failure',
          resource: { type: 'session', id: outcome.familyId ?? null },
          metadata: { reason: outcome.reason },
        });
      }
      throw new InvalidRefreshToken(outcome.reason);
    }
    if (!user) throw new InvalidRefreshToken('unknown');
    return this.pair(user, outcome.token);
  }

  /** A new session for a user already authenticated elsewhere (the console's code exchange). */
  async startSession(userId: string, via: string): Promise<TokenPairDto> {
    const user = await this.em.fork().findOne(UserSchema, { id: userId });
    if (!user) throw new InvalidRefreshToken('unknown');
    return this.openSession(user, { via });
  }

  /** A refresh family of its own and `auth.login` in the account log, then the token pair. */
  private async openSession(user: User, metadata?: Record<string, unknown>): Promise<TokenPairDto> {
    const { token } = await this.em.transactional(async (em) => {
      const family = await this.refreshTokens.startFamily(em, user.id);
      await this.audit.append(em, {
        spaceId: null,
        actor: userActor(user),
        action: 'auth.login',
        resource: { type: 'session', id: family.familyId },
        ...(metadata ? { metadata } : {}),
      });
      return family;
    });
    return this.pair(user, token);
  }

  async logout(refreshToken: string): Promise<void> {
    await this.em.transactional(async (em) => {
      const revoked = await this.refreshTokens.revokeByToken(em, refreshToken);
      if (revoked)
        await this.audit.append(em, {
          spaceId: null,
          actor: { type: 'user', id: revoked.userId, label: null },
          action: 'auth.logout',
          resource: { type: 'session', id: revoked.familyId },
        });
    });
  }

  private async pair(user: User, refreshToken: string): Promise<TokenPairDto> {
    const ttl = this.config.auth.accessTokenTtl;
    // `adm`: a platform admin by the database's flag (the first user); others come from config.
    const claims = {
      kind: 'user' as const,
      email: user.email,
      name: user.name,
      ...(user.isPlatformAdmin ? { adm: true } : {}),
    };
    const access = await this.keys.sign(user.id, claims, ttl);
    return { access_token: access, refresh_token: refreshToken, expires_in: ttl, token_type: 'Bearer' };
  }
}
