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
  private readonly open = new Map<string, Promise<FieldCipher>>();
  /** The same ciphers once loaded, for callers that may not wait (inside a transaction). */
  private readonly loaded = new Map<string, FieldCipher>();

  constructor(
    private readonly em: EntityManager,
    @Inject(SECRETS) private readonly secrets: Secrets,
  ) {}

  cipher(spaceId: string, collectionId: string): Promise<FieldCipher> {
    const id = `${spaceId}/${collectionId}`;
    let cipher = this.open.get(id);
    if (!cipher) {
      if (this.open.size >= MAX_OPEN) this.forgetId(this.open.keys().next().value!);
      const loading = this.load(spaceId, collectionId);
      cipher = loading;
      this.open.set(id, loading);
      loading.then(
        (c) => {
          if (this.open.get(id) === loading) this.loaded.set(id, c);
        },
        () => this.open.delete(id),
      );
    }
    return cipher;
  }

  /** The cipher if it is loaded already; undefined otherwise. */
  opened(spaceId: string, collectionId: string): FieldCipher | undefined {
    return this.loaded.get(`${spaceId}/${collectionId}`);
  }

  /** Forgets a collection's key (deleted, or rotated elsewhere). */
  forget(spaceId: string, collectionId: string): void {
    this.forgetId(`${spaceId}/${collectionId}`);
  }

  private forgetId(id: string): void {
    this.open.delete(id);
    this.loaded.delete(id);
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
