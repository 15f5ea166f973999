import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { SECRETS, Secrets } from '@app/config';
import { collectionKey, insertCollectionKey } from './collections.queries';
import { FieldCipher, newDataKey, unwrapDataKey, wrapDataKey } from './field-crypto';

/** Data keys kept open in memory; a collection unused for long is unwrapped again on demand. */
const MAX_OPEN = 10_000;

/**
 * Each collection's data key, unwrapped once per process and kept as a FieldCipher. A
 * collection's first encrypted value creates its key (random, wrapped by the current
 * master key); concurrent first uses keep whichever was stored first. Keys are bound to
 * (space, collection), so a cache entry cannot serve another tenant.
 */
@Injectable()
export class CollectionKeyring {
  /** Per collection: its key being opened, and once opened the cipher itself (for callers inside a transaction). */
  private readonly open = new Map<string, { loading: Promise<FieldCipher>; cipher?: FieldCipher }>();

  constructor(
    private readonly em: EntityManager,
    @Inject(SECRETS) private readonly secrets: Secrets,
  ) {}

  cipher(spaceId: string, collectionId: string): Promise<FieldCipher> {
    const id = `${spaceId}/${collectionId}`;
    const known = this.open.get(id);
    if (known) return known.loading;
    if (this.open.size >= MAX_OPEN) this.open.delete(this.open.keys().next().value!);
    const entry: { loading: Promise<FieldCipher>; cipher?: FieldCipher } = {
      loading: this.load(spaceId, collectionId),
    };
    this.open.set(id, entry);
    entry.loading.then(
      (c) => (entry.cipher = c),
      () => this.open.get(id) === entry && this.open.delete(id),
    );
    return entry.loading;
  }

  /** The cipher if it is open already; undefined otherwise (never waits, never queries). */
  opened(spaceId: string, collectionId: string): FieldCipher | undefined {
    return this.open.get(`${spaceId}/${collectionId}`)?.cipher;
  }

  /** Forgets a collection's key (deleted, or rotated elsewhere). */
  forget(spaceId: string, collectionId: string): void {
    this.open.delete(`${spaceId}/${collectionId}`);
  }

  private async load(spaceId: string, collectionId: string): Promise<FieldCipher> {
    const db = this.em.getConnection();
    let row = await collectionKey.first(db, { spaceId, collectionId });
    if (!row) {
      const { wrapped, masterVersion } = wrapDataKey(
        this.secrets.encryption.current,
        newDataKey(),
        spaceId,
        collectionId,
      );
      await insertCollectionKey.rows(db, { spaceId, collectionId, wrapped, masterVersion });
      row = await collectionKey.first(db, { spaceId, collectionId });
      if (!row) throw new Error('the data key was not stored');
    }
    const masters = [this.secrets.encryption.current, ...this.secrets.encryption.previous];
    const key = unwrapDataKey(
      masters,
      { wrapped: row.wrapped, masterVersion: row.master_version },
      spaceId,
      collectionId,
    );
    return new FieldCipher(key);
  }
}
