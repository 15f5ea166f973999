import { Inject, Injectable, Logger } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { APP_CONFIG, AppConfig } from '@app/config';
import type { CollectionRow } from './collection-row';
import { CollectionKeyring } from './collection-keyring';
import { DecryptError, FieldCipher } from './field-crypto';
import type { FieldDef } from './fields';
import { setFieldValues } from './collections.queries';
import {
  advanceFieldConversion,
  conversionBatch,
  FieldConversionJob,
  finishFieldConversion,
  postponeFieldConversion,
  stragglers,
  takeFieldConversion,
} from './field-conversion.queries';
import { isSealed, openValue, sealValue } from './record-sealing';

/**
 * Converts the stored values of a field whose encryption was turned on or off (migration
 * 18), one batch of records per transaction, for the background worker
 * (CollectionIndexer). Each batch locks its records, rewrites the values still in the
 * old form, and saves its position and progress with them: all or nothing per batch, and
 * a crash resumes after the last committed batch.
 *
 * The pass goes in id order. A write that read the schema before the change could still
 * store the old form behind it, so the conversion ends only after the grace period
 * (longer than such a write can take), with a last look for old-form values anywhere in
 * the collection, in the transaction that removes the field's `converting` marker.
 */
@Injectable()
export class FieldConverter {
  private readonly log = new Logger(FieldConverter.name);

  constructor(
    private readonly keyring: CollectionKeyring,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** A job whose data key is not open here yet (see `openWantedKey`). */
  private wanted?: { spaceId: string; collectionId: string };
  /** Set when a job may not end before its grace period: the worker stops for this tick. */
  waiting = false;

  /**
   * Opens the data key a turn found missing, outside any transaction: opening may store
   * a collection's first key, which must not roll back with a batch, and the embedded
   * database has a single connection, held by the batch's transaction. True if it did.
   */
  async openWantedKey(): Promise<boolean> {
    const wanted = this.wanted;
    if (!wanted) return false;
    this.wanted = undefined;
    await this.keyring.cipher(wanted.spaceId, wanted.collectionId);
    return true;
  }

  /** One batch of one conversion in `em`'s transaction; false when there was none to work on. */
  async batch(em: EntityManager): Promise<boolean> {
    const job = await takeFieldConversion.first(em, {});
    if (!job) return false;
    const cipher = this.keyring.opened(job.space_id, job.collection_id);
    if (!cipher) {
      this.wanted = { spaceId: job.space_id, collectionId: job.collection_id };
      return true;
    }
    const row = job.collection;
    const field = row.fields.find((f) => f.name === job.field);
    const scope = { spaceId: job.space_id, collectionId: job.collection_id, field: job.field };
    try {
      if (!field?.converting) {
        // The field went (its job should have too): nothing to convert.
        await finishFieldConversion.rows(em, { ...scope, fieldsJson: JSON.stringify(row.fields) });
        return true;
      }
      const records = await conversionBatch.rows(em, {
        ...scope,
        afterRecordId: job.after_record_id,
        batch: this.config.storage.reindexBatch,
      });
      if (records.length > 0) {
        const converted = await this.convert(em, cipher, job, row, records);
        const progress = { ...field.converting, converted: field.converting.converted + converted };
        await advanceFieldConversion.rows(em, {
          ...scope,
          afterRecordId: records[records.length - 1].id,
          fieldsJson: JSON.stringify(withField(row.fields, { ...field, converting: progress })),
        });
        return true;
      }
      return await this.finish(em, cipher, job, row, field);
    } catch (error) {
      if (!(error instanceof DecryptError)) throw error;
      // Logged by where, never by what; the batch rolled back, and the job waits at the back.
      this.log.error(
        `converting "${job.field}" of collection ${job.collection_id} (space ${job.space_id}): ${error.message}; rewrite that value to let the conversion go on`,
      );
      throw new ConversionStalled(job);
    }
  }

  /** Marks a stalled job's turn taken, in a transaction of its own. */
  async postpone(em: EntityManager, job: Pick<FieldConversionJob, 'space_id' | 'collection_id' | 'field'>) {
    await postponeFieldConversion.rows(em, {
      spaceId: job.space_id,
      collectionId: job.collection_id,
      field: job.field,
    });
  }

  private async finish(
    em: EntityManager,
    cipher: FieldCipher,
    job: FieldConversionJob,
    row: CollectionRow,
    field: FieldDef,
  ) {
    const scope = { spaceId: job.space_id, collectionId: job.collection_id, field: job.field };
    if (Date.now() - new Date(job.started_at).getTime() < this.config.storage.conversionGraceMs) {
      await postponeFieldConversion.rows(em, scope);
      this.waiting = true;
      return true;
    }
    const late = await stragglers.rows(em, { ...scope, sealed: !job.encrypt, batch: this.config.storage.reindexBatch });
    if (late.length > 0) {
      await this.convert(em, cipher, job, row, late);
      await postponeFieldConversion.rows(em, scope);
      return true;
    }
    const { converting: _, ...done } = field;
    await finishFieldConversion.rows(em, { ...scope, fieldsJson: JSON.stringify(withField(row.fields, done)) });
    this.log.log(`"${job.field}" of collection ${job.collection_id} is now ${job.encrypt ? 'encrypted' : 'clear'}`);
    return true;
  }

  /** Rewrites the values of `records` still in the old form; returns how many. */
  private async convert(
    em: EntityManager,
    cipher: FieldCipher,
    job: FieldConversionJob,
    row: CollectionRow,
    records: { id: string; v: unknown }[],
  ): Promise<number> {
    const changes: { id: string; val: string }[] = [];
    for (const { id, v } of records) {
      if (v === null || v === undefined || isSealed(v) === job.encrypt) continue;
      const value = job.encrypt ? sealValue(cipher, row, id, job.field, v) : openValue(cipher, row, id, job.field, v);
      changes.push({ id, val: JSON.stringify(value) });
    }
    if (changes.length)
      await setFieldValues.rows(em, {
        spaceId: job.space_id,
        collectionId: job.collection_id,
        field: job.field,
        changesJson: JSON.stringify(changes),
      });
    return changes.length;
  }
}

/** A value that does not decrypt holds its conversion up until it is rewritten. */
export class ConversionStalled extends Error {
  constructor(readonly job: Pick<FieldConversionJob, 'space_id' | 'collection_id' | 'field'>) {
    super(`the conversion of "${job.field}" is stalled`);
  }
}

const withField = (fields: FieldDef[], next: FieldDef) => fields.map((f) => (f.name === next.name ? next : f));
