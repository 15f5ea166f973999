import {
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  generateKeyPairSync,
  randomBytes,
  KeyObject,
} from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, Env, str } from './env';

export interface SigningKey {
  kid: string;
  privateKey?: KeyObject;
  publicKey: KeyObject;
}

export interface Secrets {
  /** Signs new tokens. */
  signingKey: SigningKey;
  /** Earlier public keys still accepted (and published in the JWKS) until their tokens expire. */
  verifyKeys: SigningKey[];
  /** Server pepper for HMAC-hashing API key secrets and refresh tokens (see pepperHash). */
  pepper: KeyObject;
}

interface StoredSecrets {
  jwt_private_key: string;
  pepper: string;
}

/** HMAC-SHA256 of a credential under the server pepper: the only form in which secrets are stored. */
export function pepperHash(secrets: Secrets, value: string): Buffer {
  return createHmac('sha256', secrets.pepper).update(value).digest();
}

/** PEMs in env vars arrive with literal "\n" more often than not. */
function pem(value: string): string {
  return value.includes('\\n') ? value.replace(/\\n/g, '\n') : value;
}

/** RFC 7638 thumbprint of the public key: a stable kid that changes when the key does. */
export function keyId(publicKey: KeyObject): string {
  const jwk = publicKey.export({ format: 'jwk' });
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  return createHash('sha256').update(canonical).digest('base64url');
}

function signingKeyFrom(privatePem: string, variable: string): SigningKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem(privatePem));
  } catch {
    throw new ConfigError(variable, 'must be a PEM-encoded private key');
  }
  if (privateKey.asymmetricKeyType !== 'ec' || privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new ConfigError(variable, 'must be an EC P-256 key (ES256)');
  }
  const publicKey = createPublicKey(privateKey);
  return { kid: keyId(publicKey), privateKey, publicKey };
}

function verifyKeysFrom(value: string | undefined): SigningKey[] {
  if (!value) return [];
  const pems = pem(value).match(/-----BEGIN [A-Z ]+-----[\s\S]+?-----END [A-Z ]+-----/g) ?? [];
  if (pems.length === 0) throw new ConfigError('JWT_PREVIOUS_PUBLIC_KEYS', 'must contain PEM-encoded public keys');
  return pems.map((p) => {
    try {
      const publicKey = createPublicKey(p);
      return { kid: keyId(publicKey), publicKey };
    } catch {
      throw new ConfigError('JWT_PREVIOUS_PUBLIC_KEYS', 'must contain PEM-encoded public keys');
    }
  });
}

/**
 * Secrets come from the environment. Outside production, any that is missing is
 * generated once and kept in DATA_DIR/secrets.json (mode 0600), so the embedded
 * default needs no set-up and restarts keep issued tokens valid. In production a
 * missing secret is fatal: nothing secret has a default in code.
 */
export function loadSecrets(env: Env, dataDir: string, production: boolean): Secrets {
  const privateEnv = str(env, 'JWT_PRIVATE_KEY');
  const pepperEnv = str(env, 'API_KEY_PEPPER');
  if (production) {
    if (!privateEnv) throw new ConfigError('JWT_PRIVATE_KEY', 'is required when NODE_ENV=production');
    if (!pepperEnv) throw new ConfigError('API_KEY_PEPPER', 'is required when NODE_ENV=production');
  }
  if (pepperEnv !== undefined && pepperEnv.length < 32) {
    throw new ConfigError('API_KEY_PEPPER', 'must be at least 32 characters');
  }
  const stored = privateEnv && pepperEnv ? undefined : loadOrCreateStored(dataDir);
  return {
    signingKey: signingKeyFrom(
      privateEnv ?? stored!.jwt_private_key,
      privateEnv ? 'JWT_PRIVATE_KEY' : 'DATA_DIR/secrets.json',
    ),
    verifyKeys: verifyKeysFrom(str(env, 'JWT_PREVIOUS_PUBLIC_KEYS')),
    // A KeyObject made once: createHmac with a raw Buffer would import the key on every call.
    pepper: createSecretKey(Buffer.from(pepperEnv ?? stored!.pepper, 'utf8')),
  };
}

function loadOrCreateStored(dataDir: string): StoredSecrets {
  const file = join(dataDir, 'secrets.json');
  if (existsSync(file)) {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as StoredSecrets;
    } catch {
      throw new ConfigError('DATA_DIR', `holds an unreadable ${file}`);
    }
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const stored: StoredSecrets = {
    jwt_private_key: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    pepper: randomBytes(32).toString('base64url'),
  };
  writeFileSync(file, JSON.stringify(stored), { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return stored;
}
