/**
 * Environment parsing: every variable Portico reads is declared here once, parsed
 * into a typed value, and rejected with a one-line message naming the variable.
 */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`Invalid configuration: ${variable} ${message}`);
    this.name = 'ConfigError';
  }
}

export type Env = Record<string, string | undefined>;

function raw(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

export function str(env: Env, name: string, fallback?: string): string | undefined {
  return raw(env, name) ?? fallback;
}

export function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  if (!/^-?\d+$/.test(value)) throw new ConfigError(name, `must be an integer (got "${value}")`);
  const n = Number(value);
  if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max} (got ${n})`);
  return n;
}

export function bool(env: Env, name: string, fallback: boolean): boolean {
  const value = raw(env, name)?.toLowerCase();
  if (value === undefined) return fallback;
  if (['1', 'true', 'yes', 'on'].includes(value)) return true;
  if (['0', 'false', 'no', 'off'].includes(value)) return false;
  throw new ConfigError(name, `must be true or false (got "${value}")`);
}

export function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(name, `must be one of ${allowed.join(', ')} (got "${value}")`);
  }
  return value as T;
}

export function list(env: Env, name: string): string[] {
  return (raw(env, name) ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function url(env: Env, name: string, protocols: string[]): string | undefined {
  const value = raw(env, name);
  if (value === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError(name, 'must be a URL');
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must use ${protocols.join(' or ')} (got "${parsed.protocol}")`);
  }
  return value;
}

/** Sizes such as `1048576`, `512kb`, `1mb`. */
export function bytes(env: Env, name: string, fallback: number): number {
  const value = raw(env, name)?.toLowerCase();
  if (value === undefined) return fallback;
  const m = /^(\d+)\s*(b|kb|mb)?$/.exec(value);
  if (!m) throw new ConfigError(name, `must be a size such as 1048576, 512kb or 1mb (got "${value}")`);
  const n = Number(m[1]) * (m[2] === 'mb' ? 1024 * 1024 : m[2] === 'kb' ? 1024 : 1);
  if (n < 1024 || n > 100 * 1024 * 1024) throw new ConfigError(name, 'must be between 1kb and 100mb');
  return n;
}
