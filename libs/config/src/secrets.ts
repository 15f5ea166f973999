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
  /** Master keys of encrypted fields: `current` wraps new data keys; `previous` still unwrap. */
  encryption: { current: MasterKey; previous: MasterKey[] };
}

/** A 256-bit master key and its version (a fingerprint stored beside what it wraps). */
export interface MasterKey {
  version: string;
  key: KeyObject;
}

interface StoredSecrets {
  jwt_private_key: string;
  pepper: string;
  /** Added by the first start that knew about encrypted fields; older files lack it. */
  encryption_key?: string;
}

/** 32 bytes, as base64 (standard or url) or hex: the forms `openssl rand` prints. */
function masterKey(value: string, variable: string): MasterKey {
  const trimmed = value.trim();
  const raw = /^[0-9a-fA-F]{64}$/.test(trimmed)
    ? Buffer.from(trimmed, 'hex')
    : Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (raw.length !== 32) throw new ConfigError(variable, 'must be 32 bytes, base64 or hex (openssl rand -base64 32)');
  const key = createSecretKey(raw);
  // Names the key without revealing it: an HMAC of a constant under the key itself.
  const version = createHmac('sha256', key).update('portico:master-key-version').digest('base64url').slice(0, 12);
  return { version, key };
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
  const encryptionEnv = str(env, 'ENCRYPTION_KEY');
  if (production && !encryptionEnv) throw new ConfigError('ENCRYPTION_KEY', 'is required when NODE_ENV=production');
  const stored = privateEnv && pepperEnv && encryptionEnv ? undefined : loadOrCreateStored(dataDir);
  const previous = (str(env, 'ENCRYPTION_PREVIOUS_KEYS') ?? '')
    .split(',')
    .filter((v) => v.trim())
    .map((v) => masterKey(v, 'ENCRYPTION_PREVIOUS_KEYS'));
  return {
    signingKey: signingKeyFrom(
      privateEnv ?? stored!.jwt_private_key,
      privateEnv ? 'JWT_PRIVATE_KEY' : 'DATA_DIR/secrets.json',
    ),
    verifyKeys: verifyKeysFrom(str(env, 'JWT_PREVIOUS_PUBLIC_KEYS')),
    // A KeyObject made once: createHmac with a raw Buffer would import the key on every call.
    pepper: createSecretKey(Buffer.from(pepperEnv ?? stored!.pepper, 'utf8')),
    encryption: {
      current: masterKey(
        encryptionEnv ?? stored!.encryption_key!,
        encryptionEnv ? 'ENCRYPTION_KEY' : 'DATA_DIR/secrets.json',
      ),
      previous,
    },
  };
}

function loadOrCreateStored(dataDir: string): StoredSecrets {
  const file = join(dataDir, 'secrets.json');
  if (existsSync(file)) {
    let stored: StoredSecrets;
    try {
      stored = JSON.parse(readFileSync(file, 'utf8')) as StoredSecrets;
    } catch {
      throw new ConfigError('DATA_DIR', `holds an unreadable ${file}`);
    }
    // A data directory from before encrypted fields: its key is added once, the rest kept.
    if (!stored.encryption_key) {
      stored.encryption_key = randomBytes(32).toString('base64');
      writeFileSync(file, JSON.stringify(stored), { mode: 0o600 });
    }
    return stored;
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const stored: StoredSecrets = {
    jwt_private_key: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    pepper: randomBytes(32).toString('base64url'),
    encryption_key: randomBytes(32).toString('base64'),
  };
  writeFileSync(file, JSON.stringify(stored), { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return stored;
}
