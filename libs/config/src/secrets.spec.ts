import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadSecrets } from './index';

const tmp = () => mkdtempSync(join(tmpdir(), 'portico-secrets-'));

describe('loadSecrets', () => {
  it('generates secrets once into DATA_DIR with mode 0600 and reuses them', () => {
    const dir = tmp();
    const first = loadSecrets({}, dir, false);
    expect(statSync(join(dir, 'secrets.json')).mode & 0o777).toBe(0o600);
    const second = loadSecrets({}, dir, false);
    expect(second.signingKey.kid).toBe(first.signingKey.kid);
    expect(second.pepper.export().equals(first.pepper.export())).toBe(true);
    expect(second.encryption.current.version).toBe(first.encryption.current.version);
    expect(second.encryption.current.key.export().equals(first.encryption.current.key.export())).toBe(true);
  });

  it('adds an encryption key to a secrets.json from before encrypted fields, keeping the rest', () => {
    const dir = tmp();
    const first = loadSecrets({}, dir, false);
    const file = join(dir, 'secrets.json');
    const { encryption_key: _dropped, ...older } = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
    writeFileSync(file, JSON.stringify(older), { mode: 0o600 });
    const again = loadSecrets({}, dir, false);
    expect(again.signingKey.kid).toBe(first.signingKey.kid);
    expect(again.encryption.current.key.export()).toHaveLength(32);
    expect(loadSecrets({}, dir, false).encryption.current.version).toBe(again.encryption.current.version);
  });

  it('takes ENCRYPTION_KEY as base64 or hex, and earlier keys for rotation', () => {
    const raw = randomBytes(32);
    const old = randomBytes(32);
    const env = { ENCRYPTION_KEY: raw.toString('base64'), ENCRYPTION_PREVIOUS_KEYS: old.toString('hex') };
    const secrets = loadSecrets(env, tmp(), false);
    expect(secrets.encryption.current.key.export().equals(raw)).toBe(true);
    expect(secrets.encryption.previous.map((k) => k.key.export().equals(old))).toEqual([true]);
    expect(secrets.encryption.previous[0].version).not.toBe(secrets.encryption.current.version);
    expect(loadSecrets({ ENCRYPTION_KEY: raw.toString('hex') }, tmp(), false).encryption.current.version).toBe(
      secrets.encryption.current.version,
    );
    expect(() => loadSecrets({ ENCRYPTION_KEY: 'too short' }, tmp(), false)).toThrow(/ENCRYPTION_KEY must be 32 bytes/);
  });

  it('makes missing secrets fatal in production', () => {
    expect(() => loadSecrets({}, tmp(), true)).toThrow(ConfigError);
    expect(() => loadSecrets({}, tmp(), true)).toThrow(/JWT_PRIVATE_KEY is required/);
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    expect(() => loadSecrets({ JWT_PRIVATE_KEY: pem, API_KEY_PEPPER: 'p'.repeat(40) }, tmp(), true)).toThrow(
      /ENCRYPTION_KEY is required/,
    );
  });

  it('takes secrets from the environment, PEMs with escaped newlines included', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString().replace(/\n/g, '\\n');
    const secrets = loadSecrets(
      { JWT_PRIVATE_KEY: pem, API_KEY_PEPPER: 'p'.repeat(40), ENCRYPTION_KEY: randomBytes(32).toString('base64') },
      tmp(),
      true,
    );
    expect(secrets.signingKey.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(secrets.pepper.export().toString()).toBe('p'.repeat(40));
  });

  it('rejects a key that is not ES256', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    expect(() => loadSecrets({ JWT_PRIVATE_KEY: pem, API_KEY_PEPPER: 'p'.repeat(40) }, tmp(), false)).toThrow(
      /EC P-256/,
    );
  });
});
