import { Logger } from '@nestjs/common';
import { ProblemException } from '@app/common';
import type { CollectionRow } from './collection-row';
import { canonical, DecryptError, FieldCipher, valueContext } from './field-crypto';

/** How an encrypted value sits in `records.data`: sealed text and blind index. */
interface Sealed {
  c: string;
  b: string;
}
export const isSealed = (v: unknown): v is Sealed =>
  typeof v === 'object' && v !== null && typeof (v as Sealed).c === 'string' && typeof (v as Sealed).b === 'string';

const logger = new Logger('EncryptedFields');

/** Fields whose stored values may be sealed: encrypted ones, and any converting to or from encryption. */
export const sealedFields = (row: CollectionRow): string[] =>
  row.fields.filter((f) => f.encrypted || f.converting).map((f) => f.name);

/** Whether a collection needs its cipher at all (a scan, no list built: this runs on every record request). */
export const usesCipher = (row: CollectionRow): boolean => row.fields.some((f) => f.encrypted || f.converting);

/** One value sealed to its record and field, with its blind index. */
export function sealValue(
  cipher: FieldCipher,
  row: CollectionRow,
  recordId: string,
  name: string,
  value: unknown,
): Sealed {
  return {
    c: cipher.encrypt(JSON.stringify(value), valueContext(row.space_id, row.id, recordId, name)),
    b: cipher.blindIndex(name, canonical(value)),
  };
}

/** One sealed value opened; DecryptError when it was altered or moved. */
export function openValue(
  cipher: FieldCipher,
  row: CollectionRow,
  recordId: string,
  name: string,
  value: unknown,
): unknown {
  if (!isSealed(value)) throw new DecryptError('not a sealed value');
  return JSON.parse(cipher.decrypt(value.c, valueContext(row.space_id, row.id, recordId, name))) as unknown;
}

/** The values to store: each encrypted field's value sealed to this record and field, with its blind index. */
export function sealValues(
  cipher: FieldCipher,
  row: CollectionRow,
  recordId: string,
  values: Record<string, unknown>,
): Record<string, unknown> {
  const out = { ...values };
  for (const f of row.fields) {
    if (!f.encrypted || out[f.name] === undefined) continue;
    out[f.name] = sealValue(cipher, row, recordId, f.name, out[f.name]);
  }
  return out;
}

/** The blind index an equality filter compares with: the same input the write path hashed. */
export const blindOf = (cipher: FieldCipher) => (field: string, value: unknown) =>
  cipher.blindIndex(field, canonical(value));

/**
 * A record as callers see it: encrypted fields opened (or, for values in `written`, the
 * plaintext the same statement stored). A value that does not open (moved from another
 * record or field, or altered outside Portico) is logged with where it is — never with
 * what it holds — and answered as a problem naming the record and field. While a field
 * converts, its clear values are answered as they are.
 */
export function revealRecord(
  cipher: FieldCipher | undefined,
  row: CollectionRow,
  record: Record<string, unknown>,
  written?: Record<string, unknown>,
): Record<string, unknown> {
  if (!cipher) return record;
  for (const f of row.fields) {
    if (!f.encrypted && !f.converting) continue;
    const name = f.name;
    const value = record[name];
    if (value === undefined || value === null) continue;
    // A value this request just sealed is answered as given: opening it again costs a decryption.
    if (written?.[name] !== undefined) {
      record[name] = written[name];
      continue;
    }
    if (f.converting && !isSealed(value)) continue;
    try {
      record[name] = openValue(cipher, row, String(record.id), name, value);
    } catch (error) {
      if (!(error instanceof DecryptError)) throw error;
      logger.error(
        `record ${String(record.id)} of collection ${row.id} (space ${row.space_id}): field "${name}" does not decrypt (${error.message})`,
      );
      throw new ProblemException(409, {
        type: 'undecryptable-value',
        detail: `The stored value of "${name}" in record ${String(record.id)} does not decrypt: it was altered or moved outside Portico. Rewrite the field to repair it.`,
        errors: [{ field: name, message: 'does not decrypt' }],
      });
    }
  }
  return record;
}
