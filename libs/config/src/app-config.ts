import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { bool, bytes, ConfigError, Env, int, list, oneOf, str, url } from './env';
import { parseTiers } from './tiers';
import { parseAuditRetention } from './audit-retention';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface HttpConfig {
  port: number;
  host: string;
  /** false, true (trust every hop), a hop count, or a list of trusted proxy addresses/CIDRs. */
  trustProxy: boolean | number | string[];
  corsOrigins: string[] | '*';
  bodyLimit: number;
  shutdownTimeoutMs: number;
  /** Bearer token for GET /metrics; unset: /metrics answers loopback callers only. */
  metricsToken?: string;
}

export interface DatabaseConfig {
  /** Unset: the embedded, file-backed PGlite under `dataDir`. */
  url?: string;
  dataDir: string;
  poolSize: number;
  debugSql: boolean;
  /** Longest a statement may run (server-side) before it is cancelled; 503 to the caller. */
  statementTimeoutMs: number;
  /** Longest a connection may take to open or be acquired from the pool. */
  connectTimeoutMs: number;
}

export interface AuthConfig {
  issuer: string;
  audience: string;
  accessTokenTtl: number;
  refreshTokenTtl: number;
  refreshReuseWindow: number;
  keyTokenTtl: number;
  platformAdminEmails: string[];
  /**
   * The OAuth/OpenID issuer identifier: this server's public URL (`iss` of id_tokens and
   * authorization responses, base of the discovery documents). Unset: the origin of each
   * request, which suits development; set it in production.
   */
  oauthIssuer?: string;
}

export interface RateLimitConfig {
  /** Off only for tests of other modules and local tools; production leaves it on. */
  enabled: boolean;
  /** Per user, for requests not tied to a space. */
  userPerMinute: number;
  /** Per client address, across the unauthenticated auth endpoints. */
  authPerMinute: number;
  /** Per email, on login. */
  loginEmailPerMinute: number;
  /** Per client address, for requests whose credential is rejected. */
  badCredentialPerMinute: number;
}

export interface AuditConfig {
  /** Days kept, by tier; `platform` for the account-level log. */
  retentionDays: Record<string, number>;
  /** How often the retention job runs. */
  retentionIntervalMs: number;
  /** Rate-limit rejections are written as one entry per actor per this window. */
  aggregateWindowMs: number;
  /** How often entries not yet linked to their chain are looked for (audit-sequencer.ts). */
  linkIntervalMs: number;
}

export interface StorageConfig {
  /** Collections with more records are re-indexed in the background after a schema change. */
  reindexInlineMax: number;
  /** Records per background re-index transaction. */
  reindexBatch: number;
  /** How often the background re-indexer looks for work. */
  reindexIntervalMs: number;
  /**
   * A field conversion ends no sooner than this after it began: a write that read the
   * schema before the change has committed by then (field-converter.ts).
   */
  conversionGraceMs: number;
}

export interface UsageConfig {
  /** How often each instance writes the usage it counted (at most 10 s: API.md). */
  flushIntervalMs: number;
  /** Days minute rows are kept; hour rows keep `hourDays` (at most the tier's audit retention). */
  minuteDays: number;
  hourDays: number;
}

export interface AppConfig {
  env: 'development' | 'test' | 'production';
  http: HttpConfig;
  database: DatabaseConfig;
  redis: { url?: string };
  auth: AuthConfig;
  tiers: { defaultTier: string; table: Record<string, number> };
  rateLimits: RateLimitConfig;
  log: { level: LogLevel };
  audit: AuditConfig;
  storage: StorageConfig;
  usage: UsageConfig;
}

function parseTrustProxy(env: Env): HttpConfig['trustProxy'] {
  const value = str(env, 'TRUST_PROXY');
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  const entries = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const entry of entries) {
    const [addr, bits] = entry.split('/');
    const family = isIP(addr);
    const maxBits = family === 6 ? 128 : 32;
    if (!family || (bits !== undefined && (!/^\d+$/.test(bits) || Number(bits) > maxBits))) {
      throw new ConfigError(
        'TRUST_PROXY',
        `must be true, false, a hop count or a list of addresses/CIDRs (got "${entry}")`,
      );
    }
  }
  return entries;
}

function parseCors(env: Env): HttpConfig['corsOrigins'] {
  const value = str(env, 'CORS_ORIGINS');
  if (value === '*') return '*';
  const origins = list(env, 'CORS_ORIGINS');
  for (const origin of origins) {
    try {
      const u = new URL(origin);
      if (u.origin !== origin) throw new Error();
    } catch {
      throw new ConfigError(
        'CORS_ORIGINS',
        `must be * or a comma-separated list of origins like https://app.example.com (got "${origin}")`,
      );
    }
  }
  return origins;
}

/** Parses and validates the whole environment; throws ConfigError naming the first bad variable. */
export function loadConfig(env: Env = process.env): AppConfig {
  const nodeEnv = oneOf(env, 'NODE_ENV', ['development', 'test', 'production'] as const, 'development');
  const tiers = parseTiers(str(env, 'TIERS_JSON'));
  const defaultTier = str(env, 'DEFAULT_TIER', 'free')!;
  if (!(defaultTier in tiers)) {
    throw new ConfigError('DEFAULT_TIER', `must be one of ${Object.keys(tiers).join(', ')} (got "${defaultTier}")`);
  }
  const emails = list(env, 'PLATFORM_ADMIN_EMAILS').map((e) => e.toLowerCase());
  for (const email of emails) {
    if (!/^[^\s@]+@[^\s@]+$/.test(email))
      throw new ConfigError('PLATFORM_ADMIN_EMAILS', `has an invalid email "${email}"`);
  }
  const databaseUrl = url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']);
  return {
    env: nodeEnv,
    http: {
      port: int(env, 'PORT', 3000, 0, 65535),
      host: str(env, 'HOST', '0.0.0.0')!,
      trustProxy: parseTrustProxy(env),
      corsOrigins: parseCors(env),
      bodyLimit: bytes(env, 'BODY_LIMIT', 1024 * 1024),
      shutdownTimeoutMs: int(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 0, 120_000),
      metricsToken: str(env, 'METRICS_TOKEN', undefined),
    },
    database: {
      url: databaseUrl,
      dataDir: resolve(str(env, 'DATA_DIR', './data')!),
      // The embedded PGlite serves exactly one connection.
      poolSize: databaseUrl ? int(env, 'DATABASE_POOL_SIZE', 10, 1, 200) : 1,
      debugSql: bool(env, 'DEBUG_SQL', false),
      statementTimeoutMs: int(env, 'DATABASE_STATEMENT_TIMEOUT_MS', 5000, 100, 600_000),
      connectTimeoutMs: int(env, 'DATABASE_CONNECT_TIMEOUT_MS', 3000, 100, 60_000),
    },
    redis: { url: url(env, 'REDIS_URL', ['redis:', 'rediss:']) },
    auth: {
      issuer: str(env, 'JWT_ISSUER', 'portico')!,
      audience: str(env, 'JWT_AUDIENCE', 'portico-api')!,
      accessTokenTtl: int(env, 'ACCESS_TOKEN_TTL', 3600, 30, 86_400),
      refreshTokenTtl: int(env, 'REFRESH_TOKEN_TTL', 30 * 86_400, 60, 365 * 86_400),
      refreshReuseWindow: int(env, 'REFRESH_REUSE_WINDOW', 0, 0, 300),
      keyTokenTtl: int(env, 'KEY_TOKEN_TTL', 3600, 30, 86_400),
      oauthIssuer: url(env, 'OAUTH_ISSUER', ['https:', 'http:'])?.replace(/\/+$/, ''),
      platformAdminEmails: emails,
    },
    tiers: { defaultTier, table: tiers },
    rateLimits: {
      enabled: bool(env, 'RATE_LIMITS_ENABLED', true),
      userPerMinute: int(env, 'RATE_LIMIT_USER_PER_MINUTE', 600, 1, 10_000_000),
      authPerMinute: int(env, 'RATE_LIMIT_AUTH_PER_MINUTE', 10, 1, 10_000_000),
      loginEmailPerMinute: int(env, 'RATE_LIMIT_LOGIN_EMAIL_PER_MINUTE', 10, 1, 10_000_000),
      badCredentialPerMinute: int(env, 'RATE_LIMIT_BAD_CREDENTIAL_PER_MINUTE', 30, 1, 10_000_000),
    },
    log: { level: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, nodeEnv === 'test' ? 'warn' : 'info') },
    audit: {
      retentionDays: parseAuditRetention(str(env, 'AUDIT_RETENTION_JSON')),
      retentionIntervalMs: int(env, 'AUDIT_RETENTION_INTERVAL', 3600, 10, 7 * 86_400) * 1000,
      aggregateWindowMs: int(env, 'AUDIT_AGGREGATE_SECONDS', 60, 1, 3600) * 1000,
      linkIntervalMs: int(env, 'AUDIT_LINK_INTERVAL_MS', 1000, 10, 60_000),
    },
    storage: {
      reindexInlineMax: int(env, 'REINDEX_INLINE_MAX_RECORDS', 10_000, 0, 10_000_000),
      reindexBatch: int(env, 'REINDEX_BATCH_SIZE', 2000, 1, 100_000),
      reindexIntervalMs: int(env, 'REINDEX_INTERVAL_MS', 500, 10, 60_000),
      // Default: longer than a statement may run plus the wait for a connection.
      conversionGraceMs: int(
        env,
        'CONVERSION_GRACE_MS',
        int(env, 'DATABASE_STATEMENT_TIMEOUT_MS', 5000, 100, 600_000) +
          int(env, 'DATABASE_CONNECT_TIMEOUT_MS', 3000, 100, 60_000) +
          2000,
        0,
        3_600_000,
      ),
    },
    usage: {
      flushIntervalMs: int(env, 'USAGE_FLUSH_MS', 10_000, 50, 10_000),
      minuteDays: 2,
      hourDays: 31,
    },
  };
}
