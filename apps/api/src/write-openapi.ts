import 'reflect-metadata';
import { generateKeyPairSync, createSecretKey, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { keyId, loadConfig } from '@app/config';
import { AppModule } from './app.module';
import { buildOpenApiDocument } from './openapi';

/**
 * `npm run openapi`: writes the OpenAPI document to openapi.json (or argv[2]); with `--check`, fails when that file differs
 * without a server or a database. Nest's preview mode scans modules and routes
 * but instantiates no provider, so nothing connects anywhere.
 */
async function main(): Promise<void> {
  const config = loadConfig({});
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const secrets = {
    signingKey: { kid: keyId(publicKey), privateKey, publicKey },
    verifyKeys: [],
    pepper: createSecretKey(randomBytes(32)),
    encryption: { current: { version: 'preview', key: createSecretKey(randomBytes(32)) }, previous: [] },
  };
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot({ config, secrets, databaseUrl: 'postgres://unused', databaseKind: 'postgres' }),
    new FastifyAdapter(),
    { preview: true, logger: false, abortOnError: false },
  );
  const document = buildOpenApiDocument(app);
  await app.close();
  const target = resolve(process.argv[2] ?? 'openapi.json');
  const text = `${JSON.stringify(document, null, 2)}\n`;
  const operations = Object.values(document.paths).flatMap((p) => Object.keys(p)).length;
  if (process.argv.includes('--check')) {
    // CI: the committed document must be exactly what the code generates.
    const committed = existsSync(target) ? readFileSync(target, 'utf8') : '';
    if (committed !== text) {
      process.stderr.write(`${target} is out of date with the code: run \`npm run openapi\` and commit it.\n`);
      process.exit(1);
    }
    process.stdout.write(`${target} is current (${operations} operations)\n`);
    return;
  }
  writeFileSync(target, text);
  process.stdout.write(`wrote ${target}: ${operations} operations\n`);
}

main().catch((error) => {
  process.stderr.write(`openapi: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
