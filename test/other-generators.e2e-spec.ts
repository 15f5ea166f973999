import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createTestApp, TestApp } from './create-test-app';
import { bearer, createCollection, createKey, createSpace, signup } from './factories';

const run = promisify(execFile);
const root = join(__dirname, '..');
const clientDir = join(__dirname, 'client');
// A folder of its own: the generated-client test writes beside it in parallel.
const out = join(clientDir, 'generated', 'other');
const bin = (path: string) => join(root, 'node_modules', path);
// Tools run on the project's Node (process.execPath), not their scripts' #!/usr/bin/env node.
const node = (script: string, args: string[]) =>
  run(process.execPath, [bin(script), ...args], { cwd: root, maxBuffer: 16 * 1024 * 1024 });
const failure = (e: { stdout?: string; stderr?: string; message: string }) => e.stdout || e.stderr || e.message;

/**
 * The documents as users of other tools meet them: Redocly's recommended rules find no
 * error in the main document nor in a space's typed one, and the clients that
 * @hey-api/openapi-ts and orval generate from both compile with the code a user writes
 * against them (test/client/other-generators.ts).
 */
describe('the OpenAPI documents with Redocly, @hey-api/openapi-ts and orval', () => {
  let t: TestApp;
  let spaceSpec: string;

  beforeAll(async () => {
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    t = await createTestApp();
    const owner = await signup(t.app);
    const spaceId = (await createSpace(t.app, owner.access_token)).id;
    await createCollection(t.app, bearer(owner.access_token), spaceId);
    const key = await createKey(t.app, bearer(owner.access_token), spaceId, {
      collection_permissions: { orders: ['read', 'write'] },
    });
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/spaces/${spaceId}/openapi.json`,
      headers: { 'x-api-key': key.key },
    });
    expect(res.statusCode).toBe(200);
    spaceSpec = join(out, 'space-openapi.json');
    writeFileSync(spaceSpec, res.body);
  });
  afterAll(() => t.close());

  it('passes Redocly lint (recommended) with 0 errors, the main document and a space document', async () => {
    for (const spec of [join(root, 'openapi.json'), spaceSpec]) {
      const result = await node('@redocly/cli/bin/cli.js', ['lint', spec, '--format', 'summary']).then(
        () => 'ok',
        failure,
      );
      expect({ spec, result }).toEqual({ spec, result: 'ok' });
    }
  }, 60_000);

  it('generates clients with @hey-api/openapi-ts and orval from both documents that compile with tsc', async () => {
    const main = join(root, 'openapi.json');
    await Promise.all([
      node('@hey-api/openapi-ts/bin/run.js', [
        '-s',
        '-i',
        main,
        '-o',
        join(out, 'hey-main'),
        '-c',
        '@hey-api/client-fetch',
      ]),
      node('@hey-api/openapi-ts/bin/run.js', [
        '-s',
        '-i',
        spaceSpec,
        '-o',
        join(out, 'hey-space'),
        '-c',
        '@hey-api/client-fetch',
      ]),
      node('orval/dist/bin/orval.mjs', [
        '--quiet',
        '-i',
        main,
        '-o',
        join(out, 'orval-main', 'api.ts'),
        '--client',
        'fetch',
      ]),
      node('orval/dist/bin/orval.mjs', [
        '--quiet',
        '-i',
        spaceSpec,
        '-o',
        join(out, 'orval-space', 'api.ts'),
        '--client',
        'fetch',
      ]),
    ]);
    const compiled = await node('typescript/bin/tsc', ['--noEmit', '-p', join(clientDir, 'tsconfig.other.json')]).then(
      () => '',
      failure,
    );
    expect(compiled).toBe('');
  }, 120_000);
});
