import { isIdentifier } from '@app/common';
import { ConfigError } from './env';

/** The plan tiers of the contract; `TIERS_JSON` may add tiers or change budgets. */
export const DEFAULT_TIERS: Readonly<Record<string, number>> = Object.freeze({
  free: 50,
  developer: 100,
  startup: 250,
  business: 500,
  professional: 1000,
  enterprise_basic: 2000,
  enterprise_standard: 4000,
});

export function parseTiers(json: string | undefined): Record<string, number> {
  if (json === undefined) return { ...DEFAULT_TIERS };
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new ConfigError('TIERS_JSON', 'must be a JSON object of tier name to requests per minute');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError('TIERS_JSON', 'must be a JSON object of tier name to requests per minute');
  }
  const tiers: Record<string, number> = { ...DEFAULT_TIERS };
  for (const [name, limit] of Object.entries(parsed)) {
    if (!isIdentifier(name)) throw new ConfigError('TIERS_JSON', `has an invalid tier name "${String(name)}"`);
    if (!Number.isInteger(limit) || (limit as number) < 1) {
      throw new ConfigError('TIERS_JSON', `tier "${name}" must have a positive integer limit`);
    }
    tiers[name] = limit as number;
  }
  return tiers;
}
