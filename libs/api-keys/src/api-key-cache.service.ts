import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type Redis from 'ioredis';
import { Client } from 'pg';
import { DATABASE_LOCATION, DatabaseLocation, RedisConnection } from '@app/database';
import { Metrics } from '@app/common';
import { ApiKeyState, toState } from './api-key-state';
import { keyById, notifyKeyChanged } from './api-keys.queries';

const CHANNEL = 'portico_api_key_evict';
/** How long a cached key (or a known-missing id) is trusted without asking the database. */
const FRESH_MS = 30_000;

interface Entry {
  state: ApiKeyState | null;
  loadedAt: number;
}

/**
 * In-process cache of key state, so a recently seen key authenticates with no SQL.
 * Every change evicts the entry here and tells the other instances on every channel
 * there is: Postgres LISTEN/NOTIFY (sent inside the changing transaction, so it is
 * delivered on commit) and, with REDIS_URL, Redis pub/sub too. Either one suffices,
 * so Redis going away does not delay a revocation. While no channel is up, cached
 * entries are not trusted: each request revalidates its key by primary key, which is
 * one indexed read, so a revoked key is refused from the next request on. When a
 * channel comes back the whole cache is dropped, since evictions may have been missed.
 * FRESH_MS bounds staleness if a message is lost on a channel that looks healthy.
 * The embedded database serves one process, so there it is local only.
 */
@Injectable()
export class ApiKeyCache implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(ApiKeyCache.name);
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<ApiKeyState | null>>();
  private subscriber?: Redis;
  private listener?: Client;
  private listening = false;
  private stopped = false;
  private reconnectTimer?: NodeJS.Timeout;
  private reconnectDelay = 250;

  private readonly counted: { hit: () => void; miss: () => void };

  constructor(
    private readonly em: EntityManager,
    private readonly redis: RedisConnection,
    @Inject(DATABASE_LOCATION) private readonly db: DatabaseLocation,
    metrics: Metrics,
  ) {
    this.counted = metrics.cache('api_key');
  }

  async onModuleInit(): Promise<void> {
    if (this.redis.client) {
      this.subscriber = this.redis.client.duplicate({ enableOfflineQueue: true });
      this.subscriber.on('error', () => undefined); // state changes are logged by the shared connection's health
      this.subscriber.on('message', (_channel, id: string) => this.entries.delete(id));
      // After a reconnect (ioredis resubscribes on its own) evictions may have been missed.
      this.subscriber.on('ready', () => this.entries.clear());
      void this.subscriber
        .subscribe(CHANNEL)
        .catch((err: Error) => this.logger.warn(`cannot subscribe to key evictions: ${err.message}`));
    }
    if (this.db.kind === 'postgres') await this.listen();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    this.subscriber?.disconnect();
    await this.listener?.end().catch(() => undefined);
  }

  /** Is some eviction channel up, so that a cached entry can be trusted until FRESH_MS? */
  private trusted(): boolean {
    if (this.db.kind !== 'postgres') return true;
    return this.listening || this.subscriber?.status === 'ready';
  }

  private async listen(): Promise<void> {
    const client = new Client({ connectionString: this.db.url, keepAlive: true, connectionTimeoutMillis: 2000 });
    this.listener = client;
    client.on('notification', (msg) => msg.payload && this.entries.delete(msg.payload));
    const lost = () => {
      if (this.listener !== client) return;
      if (this.listening && !this.stopped)
        this.logger.warn('key eviction listener lost; keys are revalidated on every request until it is back');
      this.listening = false;
      this.listener = undefined;
      void client.end().catch(() => undefined);
      this.scheduleListen();
    };
    client.on('error', lost);
    client.on('end', lost);
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      this.entries.clear();
      this.listening = true;
      this.reconnectDelay = 250;
    } catch {
      lost();
    }
  }

  private scheduleListen(): void {
    if (this.stopped || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (!this.stopped) void this.listen();
    }, this.reconnectDelay);
    this.reconnectTimer.unref();
    this.reconnectDelay = Math.min(this.reconnectDelay * 2, 5000);
  }

  /** The key's current state, from memory when fresh; null when it does not exist. */
  get(id: string): Promise<ApiKeyState | null> {
    const entry = this.entries.get(id);
    if (entry && Date.now() - entry.loadedAt < FRESH_MS && this.trusted()) {
      this.counted.hit();
      return Promise.resolve(entry.state);
    }
    this.counted.miss();
    let pending = this.loading.get(id);
    if (!pending) {
      pending = this.load(id).finally(() => this.loading.delete(id));
      this.loading.set(id, pending);
    }
    return pending;
  }

  private async load(id: string): Promise<ApiKeyState | null> {
    const row = await keyById.first(this.em.getConnection(), { id });
    const state = row ? toState(row) : null;
    this.entries.set(id, { state, loadedAt: Date.now() });
    return state;
  }

  /**
   * Call inside the transaction that changes the key: evicts locally now and, on
   * Postgres, queues a NOTIFY that other instances receive when it commits.
   */
  async changedIn(em: EntityManager, id: string): Promise<void> {
    this.entries.delete(id);
    if (this.db.kind === 'postgres') await notifyKeyChanged.rows(em, { channel: CHANNEL, id });
  }

  /** Call after the change committed: evicts again (a read may have raced) and tells Redis subscribers. */
  async changed(id: string): Promise<void> {
    this.entries.delete(id);
    if (this.redis.client?.status === 'ready') {
      await this.redis.client.publish(CHANNEL, id).catch(() => undefined); // Postgres NOTIFY carried it too
    }
  }
}
