import type { Client } from 'pg';
import type { Secrets } from '@app/config';
import { unwrapDataKey, wrapDataKey } from './field-crypto';

const BATCH = 500;

export interface RewrapReport {
  rewrapped: number;
  /** Versions of master keys that wrapped keys still name but no configured key has. */
  unopened: string[];
}

/**
 * Master-key rotation (`npm run keys:rotate`): every data key not yet wrapped by the
 * current master key is unwrapped with a configured one and wrapped again by the current
 * one, in batches of its own transactions (`skip locked`, so two runs share the work).
 * The data keys themselves do not change, so no value is re-encrypted and running
 * instances, which keep opened data keys, are not disturbed. Idempotent: a second run
 * finds nothing to do; an interrupted one resumes where it stopped.
 */
export async function rewrapDataKeys(client: Client, secrets: Secrets): Promise<RewrapReport> {
  const current = secrets.encryption.current;
  const masters = [current, ...secrets.encryption.previous];
  const report: RewrapReport = { rewrapped: 0, unopened: [] };
  for (;;) {
    await client.query('begin');
    try {
      const { rows } = await client.query<{
        space_id: string;
        collection_id: string;
        generation: number;
        wrapped: Buffer;
        master_version: string;
      }>(
        `select space_id, collection_id, generation, wrapped, master_version from collection_keys
          where master_version <> $1 and not (master_version = any($2::text[]))
          order by space_id, collection_id, generation limit $3 for update skip locked`,
        [current.version, report.unopened, BATCH],
      );
      if (rows.length === 0) {
        await client.query('commit');
        return report;
      }
      for (const row of rows) {
        if (!masters.some((m) => m.version === row.master_version)) {
          report.unopened.push(row.master_version);
          continue;
        }
        const key = unwrapDataKey(
          masters,
          { wrapped: row.wrapped, masterVersion: row.master_version },
          row.space_id,
          row.collection_id,
        );
        const next = wrapDataKey(current, key, row.space_id, row.collection_id);
        await client.query(
          `update collection_keys set wrapped = $1, master_version = $2
            where space_id = $3 and collection_id = $4 and generation = $5 and master_version = $6`,
          [next.wrapped, next.masterVersion, row.space_id, row.collection_id, row.generation, row.master_version],
        );
        report.rewrapped++;
      }
      await client.query('commit');
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    }
  }
}
