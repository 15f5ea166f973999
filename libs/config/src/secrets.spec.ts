import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, statSync } from 'node:fs';
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
  });

  it('makes missing secrets fatal in production', () => {
    expect(() => loadSecrets({}, tmp(), true)).toThrow(ConfigError);
    expect(() => loadSecrets({}, tmp(), true)).toThrow(/JWT_PRIVATE_KEY is required/);
  });

  it('takes secrets from the environment, PEMs with escaped newlines included', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString().replace(/\n/g, '\\n');
    const secrets = loadSecrets({ JWT_PRIVATE_KEY: pem, API_KEY_PEPPER: 'p'.repeat(40) }, tmp(), true);
    expect(secrets.signingKey.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(secrets.pepper.export().toString()).toBe('p'.repeat(40));
  });

  it('rejects a key that is not ES256', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    expect(() => loadSecrets({ JWT_PRIVATE_KEY: pem, API_KEY_PEPPER: 'p'.repeat(40) }, tmp(), true)).toThrow(
      /EC P-256/,
    );
  });
});
