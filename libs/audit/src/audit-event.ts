import type { Principal } from '@app/common';

export const AUDIT_OUTCOMES = ['success', 'denied', 'failure'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];
export const ACTOR_TYPES = ['user', 'api_key', 'anonymous'] as const;
export type ActorType = (typeof ACTOR_TYPES)[number];

/** The chain of account-level events that belong to no space (sign-up, login, refresh). */
export const PLATFORM_LOG = '00000000-0000-0000-0000-000000000000';

export interface AuditActor {
  type: ActorType;
  id: string | null;
  label: string | null;
}

export interface AuditResource {
  type: string;
  id?: string | null;
  collection?: string | null;
}

/** Field-level changes: `{ field: [before, after] }`. */
export type AuditChanges = Record<string, [unknown, unknown]>;

/** One thing that happened, as a service reports it; the request's address, agent and id are added by the writer. */
export interface AuditEvent {
  /** null: the platform-level log. */
  spaceId: string | null;
  actor: AuditActor;
  action: string;
  outcome?: AuditOutcome;
  resource?: AuditResource;
  changes?: AuditChanges | null;
  /** What is not a field change: a batch's size, a failure's reason, a revoked family. */
  metadata?: Record<string, unknown> | null;
}

export const ANONYMOUS: AuditActor = { type: 'anonymous', id: null, label: null };

export function actorOf(principal: Principal | null | undefined): AuditActor {
  if (!principal) return ANONYMOUS;
  // Through an OAuth app, the entry names both the user and the app.
  if (principal.kind === 'user' && principal.app)
    return { type: 'user', id: principal.id, label: `${principal.email} via ${principal.app.clientName}` };
  if (principal.kind === 'user') return { type: 'user', id: principal.id, label: principal.email };
  return { type: 'api_key', id: principal.id, label: principal.label };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** The members of `after` (or `before`) whose values differ, as `[before, after]` pairs. */
export function diff(before: Record<string, unknown>, after: Record<string, unknown>): AuditChanges {
  const out: AuditChanges = {};
  for (const k of new Set([...Object.keys(before), ...Object.keys(after)]))
    if (!same(before[k], after[k])) out[k] = [before[k] ?? null, after[k] ?? null];
  return out;
}

/** Members that hold secrets by their name, wherever they appear. */
const SECRET_NAMES =
  /^(password|secret|secret_hash|token|access_token|refresh_token|api_key|key|authorization|cookie)$/i;
/** Values that are secrets by their shape: our API keys and refresh tokens, and any JWT. */
const SECRET_VALUE =
  /(ptc_[A-Za-z0-9_-]{20,}|prt_[A-Za-z0-9_-]{20,}|eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)/g;

/**
 * The last line of defence: services never hand secrets to the log, and whatever
 * looks like one is replaced anyway before it is written.
 */
export function scrub<T>(value: T, name?: string): T {
  if (typeof value === 'string') {
    if (name !== undefined && SECRET_NAMES.test(name)) return '[redacted]' as T;
    return value.replace(SECRET_VALUE, '[redacted]') as T;
  }
  if (Array.isArray(value)) return value.map((v: unknown) => scrub(v)) as T;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrub(v, k)])) as T;
  }
  return value;
}
