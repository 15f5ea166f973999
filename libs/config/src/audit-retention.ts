import { ConfigError } from './env';

/**
 * Days an audit entry is kept, by the space's tier; `platform` is the account-level
 * log. `AUDIT_RETENTION_JSON` may change any of them or add tiers.
 */
export const DEFAULT_AUDIT_RETENTION: Readonly<Record<string, number>> = Object.freeze({
  free: 30,
  developer: 90,
  startup: 180,
  business: 365,
  professional: 365,
  enterprise_basic: 730,
  enterprise_standard: 730,
  platform: 365,
});

export function parseAuditRetention(json: string | undefined): Record<string, number> {
  const table: Record<string, number> = { ...DEFAULT_AUDIT_RETENTION };
  if (json === undefined) return table;
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError('AUDIT_RETENTION_JSON', 'must be a JSON object of tier name (or "platform") to days');
  }
  for (const [name, days] of Object.entries(parsed)) {
    if (!Number.isInteger(days) || (days as number) < 1 || (days as number) > 36_500) {
      throw new ConfigError('AUDIT_RETENTION_JSON', `"${name}" must be a whole number of days, 1–36500`);
    }
    table[name] = days as number;
  }
  return table;
}

/**
 * Days a space of `tier` keeps its history (audit log, usage by day): its tier's entry,
 * else the default tier's (a deleted space's tier is unknown), else free's.
 */
export function retentionDaysFor(
  config: { audit: { retentionDays: Record<string, number> }; tiers: { defaultTier: string } },
  tier: string | null | undefined,
): number {
  const table = config.audit.retentionDays;
  return table[tier ?? config.tiers.defaultTier] ?? table[config.tiers.defaultTier] ?? table.free;
}
