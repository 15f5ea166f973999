import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type Redis from 'ioredis';
import { Client } from 'pg';
import { DATABASE_LOCATION, DatabaseLocation, RedisConnection } from '@app/database';
import { API_KEY_COLUMNS, ApiKeyRow, ApiKeyState, toState } from './api-key-state';

const CHANNEL = 'portico_api_key_evict';
/** How long a cached key (or a known-missing id) is trusted without asking the database. */
const FRESH_MS = 30_000;

interface Entry {
  state: ApiKeyState | null;
  loadedAt: number;
}

/**
 * In-process cache of key state, so a recently seen key authenticates with no SQL.
 * Every change evicts the entry here and tells the other instances: through Redis
 * pub/sub when REDIS_URL is set, else through Postgres LISTEN/NOTIFY (sent inside
 * the changing transaction, so it is delivered on commit). The embedded database
 * serves one process, so there it is local only. FRESH_MS bounds staleness if a
 * message is ever lost.
 */
@Injectable()
export class ApiKeyCache implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(ApiKeyCache.name);
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<ApiKeyState | null>>();
  private subscriber?: Redis;
  private listener?: Client;

  constructor(
    private readonly em: EntityManager,
    private readonly redis: RedisConnection,
    @Inject(DATABASE_LOCATION) private readonly db: DatabaseLocation,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.redis.client) {
      this.subscriber = this.redis.client.duplicate({ enableOfflineQueue: true });
      this.subscriber.on('error', (err) => this.logger.warn(`key eviction channel: ${err.message}`));
      this.subscriber.on('message', (_channel, id: string) => this.entries.delete(id));
      await this.subscriber.subscribe(CHANNEL).catch((err) => this.logger.warn(`cannot subscribe to key evictions: ${err.message}`));
    } else if (this.db.kind === 'postgres') {
      this.listener = new Client({ connectionString: this.db.url });
      this.listener.on('notification', (msg) => msg.payload && this.entries.delete(msg.payload));
      this.listener.on('error', (err) => this.logger.warn(`key eviction listener: ${err.message}`));
      await this.listener.connect();
      await this.listener.query(`LISTEN ${CHANNEL}`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.subscriber?.disconnect();
    await this.listener?.end().catch(() => undefined);
  }

  /** The key's current state, from memory when fresh; null when it does not exist. */
  get(id: string): Promise<ApiKeyState | null> {
    const entry = this.entries.get(id);
    if (entry && Date.now() - entry.loadedAt < FRESH_MS) return Promise.resolve(entry.state);
    let pending = this.loading.get(id);
    if (!pending) {
      pending = this.load(id).finally(() => this.loading.delete(id));
      this.loading.set(id, pending);
    }
    return pending;
  }

  private async load(id: string): Promise<ApiKeyState | null> {
    const rows = await this.em.getConnection().execute<ApiKeyRow[]>(`select ${API_KEY_COLUMNS} from api_keys where id = ?`, [id]);
    const state = rows[0] ? toState(rows[0]) : null;
    this.entries.set(id, { state, loadedAt: Date.now() });
    return state;
  }

  /**
   * Call inside the transaction that changes the key: evicts locally now and, on
   * Postgres, queues a NOTIFY that other instances receive when it commits.
   */
  async changedIn(em: EntityManager, id: string): Promise<void> {
    this.entries.delete(id);
    if (!this.redis.client && this.db.kind === 'postgres') await em.execute('select pg_notify(?, ?)', [CHANNEL, id]);
  }

  /** Call after the change committed: evicts again (a read may have raced) and tells Redis subscribers. */
  async changed(id: string): Promise<void> {
    this.entries.delete(id);
    if (this.redis.client) {
      await this.redis.client.publish(CHANNEL, id).catch((err) => this.logger.warn(`key eviction not broadcast: ${err.message}`));
    }
  }
}
