import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { pepperHash, SECRETS, Secrets } from '@app/config';
import { deleteSession, insertSession, liveSession, SessionRow } from './oauth.queries';

const COOKIE = 'portico_oauth';
const SESSION_SECONDS = 3600;

/** The value of one cookie, from the Cookie header. */
function cookieValue(request: FastifyRequest, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

/**
 * The browser session of the /oauth pages: a random cookie (only its HMAC is stored),
 * HttpOnly, SameSite=Lax, Path=/oauth (so it never reaches the API and is no API
 * credential), Secure when the request came over HTTPS.
 */
@Injectable()
export class OAuthSessions {
  constructor(
    private readonly em: EntityManager,
    @Inject(SECRETS) private readonly secrets: Secrets,
  ) {}

  hash(value: string): Buffer {
    return pepperHash(this.secrets, `oauth-session:${value}`);
  }

  async current(request: FastifyRequest): Promise<(SessionRow & { tokenHash: Buffer }) | undefined> {
    const value = cookieValue(request, COOKIE);
    if (!value || !/^[A-Za-z0-9_-]{43}$/.test(value)) return undefined;
    const tokenHash = this.hash(value);
    const row = await liveSession.first(this.em, { tokenHash });
    return row && { ...row, tokenHash };
  }

  async start(request: FastifyRequest, reply: FastifyReply, userId: string): Promise<void> {
    const value = randomBytes(32).toString('base64url');
    await insertSession.rows(this.em, {
      tokenHash: this.hash(value),
      userId,
      expiresAt: new Date(Date.now() + SESSION_SECONDS * 1000),
    });
    const secure = request.protocol === 'https' ? '; Secure' : '';
    reply.header(
      'set-cookie',
      `${COOKIE}=${value}; Path=/oauth; HttpOnly; SameSite=Lax; Max-Age=${SESSION_SECONDS}${secure}`,
    );
  }

  /** Ends this browser's session: its row and its cookie (the console's sign-out). */
  async end(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const value = cookieValue(request, COOKIE);
    if (value && /^[A-Za-z0-9_-]{43}$/.test(value)) await deleteSession.rows(this.em, { tokenHash: this.hash(value) });
    const secure = request.protocol === 'https' ? '; Secure' : '';
    reply.header('set-cookie', `${COOKIE}=; Path=/oauth; HttpOnly; SameSite=Lax; Max-Age=0${secure}`);
  }
}
