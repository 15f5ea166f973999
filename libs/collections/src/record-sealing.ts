import { Logger } from '@nestjs/common';
import { ProblemException } from '@app/common';
import type { CollectionRow } from './collection-row';
import { canonical, DecryptError, FieldCipher, valueContext } from './field-crypto';

/** How an encrypted value sits in `records.data`: sealed text and blind index. */
interface Sealed {
  c: string;
  b: string;
}
const isSealed = (v: unknown): v is Sealed =>
  typeof v === 'object' && v !== null && typeof (v as Sealed).c === 'string' && typeof (v as Sealed).b === 'string';

const logger = new Logger('EncryptedFields');

export const encryptedFields = (row: CollectionRow): string[] =>
  row.fields.filter((f) => f.encrypted).map((f) => f.name);

/** The values to store: each encrypted field's value sealed to this record and field, with its blind index. */
export function sealValues(
  cipher: FieldCipher,
  row: CollectionRow,
  recordId: string,
  values: Record<string, unknown>,
): Record<string, unknown> {
  const out = { ...values };
  for (const name of encryptedFields(row)) {
    if (out[name] === undefined) continue;
    out[name] = {
      c: cipher.encrypt(JSON.stringify(out[name]), valueContext(row.space_id, row.id, recordId, name)),
      b: cipher.blindIndex(name, canonical(out[name])),
    } satisfies Sealed;
  }
  return out;
}

/** The blind index an equality filter compares with: the same input the write path hashed. */
export const blindOf = (cipher: FieldCipher) => (field: string, value: unknown) =>
  cipher.blindIndex(field, canonical(value));

/**
 * A record as callers see it: encrypted fields opened (or, for values in `written`, the
 * plaintext the same statement stored). A value that does not open (moved
 * from another record or field, or altered outside Portico) is logged with where it is —
 * never with what it holds — and answered as a problem naming the record and field.
 */
export function revealRecord(
  cipher: FieldCipher | undefined,
  row: CollectionRow,
  record: Record<string, unknown>,
  written?: Record<string, unknown>,
): Record<string, unknown> {
  if (!cipher) return record;
  for (const name of encryptedFields(row)) {
    const value = record[name];
    if (value === undefined || value === null) continue;
    // A value this request just sealed is answered as given: opening it again costs a decryption.
    if (written?.[name] !== undefined) {
      record[name] = written[name];
      continue;
    }
    try {
      if (!isSealed(value)) throw new DecryptError('not a sealed value');
      record[name] = JSON.parse(
        cipher.decrypt(value.c, valueContext(row.space_id, row.id, String(record.id), name)),
      ) as unknown;
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
