// First: tracing, when on, must patch http, pg, ioredis and fastify before they load.
import { stopTracing } from './tracing';
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { migrateDatabase, openDatabase } from '@app/database';
import { bool } from '@app/config';
import { configOrExit } from './bootstrap-config';
import { createApp } from './configure-app';

async function main(): Promise<void> {
  const started = performance.now();
  const { config, secrets } = configOrExit();
  const db = await openDatabase(config.database);
  // The embedded default must come up on a fresh machine with no extra step;
  // deployments may set MIGRATE_ON_START=false and run `npm run migrate` instead.
  if (db.kind === 'embedded' || bool(process.env, 'MIGRATE_ON_START', true)) {
    await migrateDatabase(db.url);
  }
  const app = await createApp({ config, secrets, databaseUrl: db.url, databaseKind: db.kind });
  const logger = new Logger('Bootstrap');

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.log(`${signal} received: draining in-flight requests`);
    const force = setTimeout(() => process.exit(1), config.http.shutdownTimeoutMs).unref();
    try {
      await app.close();
      await db.close();
      await stopTracing();
    } finally {
      clearTimeout(force);
      process.exit(0);
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));

  await app.listen({ port: config.http.port, host: config.http.host });
  logger.log(
    `Portico listening on http://${config.http.host}:${config.http.port} (database: ${db.kind === 'embedded' ? `embedded PGlite in ${config.database.dataDir}` : 'postgres'}; ` +
      `ready in ${Math.round(performance.now() - started)} ms); Swagger UI at /docs`,
  );
}

main().catch((error) => {
  process.stderr.write(`Portico failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
