import { ConfigError, loadConfig } from './index';

describe('loadConfig', () => {
  it('gives typed defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config.http).toMatchObject({ port: 3000, host: '0.0.0.0', trustProxy: false, bodyLimit: 1024 * 1024 });
    expect(config.database).toMatchObject({ url: undefined, poolSize: 1 });
    expect(config.auth).toMatchObject({ accessTokenTtl: 3600, refreshTokenTtl: 30 * 86400, refreshReuseWindow: 0 });
    expect(config.database).toMatchObject({ statementTimeoutMs: 5000, connectTimeoutMs: 3000 });
    expect(config.tiers.defaultTier).toBe('free');
    expect(config.tiers.table.enterprise_standard).toBe(4000);
  });

  it('parses every variable it knows', () => {
    const config = loadConfig({
      PORT: '8080',
      DATABASE_URL: 'postgres://u@db:5432/app',
      DATABASE_POOL_SIZE: '20',
      REDIS_URL: 'redis://cache:6379',
      TRUST_PROXY: '10.0.0.0/8, 192.168.1.1',
      CORS_ORIGINS: 'https://a.example.com,https://b.example.com',
      BODY_LIMIT: '2mb',
      PLATFORM_ADMIN_EMAILS: ' Root@Example.com ',
      TIERS_JSON: '{"bench": 1000000}',
      DEFAULT_TIER: 'bench',
      LOG_LEVEL: 'warn',
    });
    expect(config.http.port).toBe(8080);
    expect(config.database.poolSize).toBe(20);
    expect(config.http.trustProxy).toEqual(['10.0.0.0/8', '192.168.1.1']);
    expect(config.http.corsOrigins).toEqual(['https://a.example.com', 'https://b.example.com']);
    expect(config.http.bodyLimit).toBe(2 * 1024 * 1024);
    expect(config.auth.platformAdminEmails).toEqual(['root@example.com']);
    expect(config.tiers).toMatchObject({ defaultTier: 'bench', table: { bench: 1000000, free: 50 } });
  });

  it.each([
    ['PORT', 'abc', /PORT must be an integer/],
    ['PORT', '70000', /PORT must be between/],
    ['DATABASE_URL', 'mysql://x', /DATABASE_URL must use postgres:/],
    ['REDIS_URL', 'not a url', /REDIS_URL must be a URL/],
    ['TRUST_PROXY', '10.0.0.0/99', /TRUST_PROXY/],
    ['CORS_ORIGINS', 'example.com', /CORS_ORIGINS/],
    ['BODY_LIMIT', 'lots', /BODY_LIMIT/],
    ['DEFAULT_TIER', 'platinum', /DEFAULT_TIER must be one of free, developer/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL must be one of/],
    ['ACCESS_TOKEN_TTL', '5', /ACCESS_TOKEN_TTL must be between/],
    ['TIERS_JSON', '{"x": -1}', /TIERS_JSON/],
    ['PLATFORM_ADMIN_EMAILS', 'nobody', /PLATFORM_ADMIN_EMAILS/],
  ])('rejects %s=%s naming the variable', (name, value, message) => {
    let error: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(name);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });
});
