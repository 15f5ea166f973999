import { Global, Inject, Injectable, Module, OnApplicationShutdown, OnModuleInit, DynamicModule } from '@nestjs/common';
import Redis from 'ioredis';

/**
 * One shared Redis connection when REDIS_URL is set, none otherwise. Commands fail
 * fast while Redis is unreachable (no offline queue, one retry) so a request never
 * hangs on it.
 */
@Injectable()
export class RedisConnection implements OnModuleInit, OnApplicationShutdown {
  readonly client: Redis | null;

  constructor(@Inject('REDIS_URL') url: string | undefined) {
    this.client = url
      ? new Redis(url, {
          lazyConnect: true,
          enableOfflineQueue: false,
          maxRetriesPerRequest: 1,
          connectTimeout: 1000,
          commandTimeout: 500,
          retryStrategy: (times) => Math.min(times * 200, 2000),
        })
      : null;
    // Connection errors surface through health and callers; an unhandled 'error' event would crash.
    this.client?.on('error', () => undefined);
    void this.client?.connect().catch(() => undefined);
  }

  /**
   * Start-up waits briefly for the connection, so the first requests find Redis ready
   * (commands are not queued while connecting); a Redis that is down does not stop the
   * start: budgets fail open or closed as they would later, and /health/ready says so.
   */
  async onModuleInit(): Promise<void> {
    await this.ready(2000).catch(() => undefined);
  }

  /** Resolves once connected; rejects after `timeoutMs` (commands are not queued while offline). */
  async ready(timeoutMs = 1000): Promise<void> {
    const client = this.client;
    if (!client || client.status === 'ready') return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => done(new Error('Redis is not reachable')), timeoutMs);
      const onReady = () => done();
      function done(error?: Error) {
        clearTimeout(timer);
        client!.off('ready', onReady);
        if (error) reject(error);
        else resolve();
      }
      client.on('ready', onReady);
    });
  }

  async ping(): Promise<void> {
    if (!this.client) return;
    await this.ready();
    await this.client.ping();
  }

  onApplicationShutdown(): void {
    if (this.client && this.client.status !== 'end') this.client.disconnect();
  }
}

@Global()
@Module({})
export class RedisModule {
  static forRoot(url: string | undefined): DynamicModule {
    return {
      module: RedisModule,
      providers: [{ provide: 'REDIS_URL', useValue: url }, RedisConnection],
      exports: [RedisConnection],
    };
  }
}
