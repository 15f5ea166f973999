import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { AddressInfo } from 'node:net';
import { createTestApp, TestApp } from './create-test-app';
import { bearer, createCollection, createKey, createSpace, signup, uniqueEmail } from './factories';
import { anyString } from './json';
import type { Json } from './json';

/**
 * The client code compiles only once its types are generated (in these tests), so it is
 * loaded by a path the root typecheck does not follow; test/client has its own tsconfig.
 */
/** The client modules compile only once their types are generated, so they are loaded by name, typed here. */
const clientModule = <T>(name: string) => import(join(__dirname, 'client', name)) as Promise<T>;
type Flow = { porticoFlow: (baseUrl: string, email: string) => Promise<Json> };
type SpaceClient = { createTypedOrder: (baseUrl: string, spaceId: string, apiKey: string) => Promise<Json> };

const run = promisify(execFile);
const root = join(__dirname, '..');
const clientDir = join(__dirname, 'client');
const generated = join(clientDir, 'generated');
const bin = (path: string) => join(root, 'node_modules', path);

/** Runs a tool on this process's Node (the project's Node 24), never the system's. */
const node = (script: string, args: string[]) =>
  run(process.execPath, [script, ...args], { cwd: root, maxBuffer: 16 * 1024 * 1024 });
// Defaults are the server's business: a property with a default stays optional in request bodies.
const generate = (spec: string, out: string) =>
  node(bin('openapi-typescript/bin/cli.js'), [spec, '-o', out, '--default-non-nullable', 'false']);
const typecheck = (project: string) =>
  node(bin('typescript/bin/tsc'), ['--noEmit', '-p', project]).then(
    () => '',
    (e: { stdout: string }) => e.stdout || 'tsc failed',
  );

describe('generated clients (openapi-typescript + openapi-fetch)', () => {
  let t: TestApp;
  let baseUrl: string;

  beforeAll(async () => {
    mkdirSync(generated, { recursive: true });
    t = await createTestApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(() => t.close());

  it('generates a client from the checked-in openapi.json that compiles and drives sign-up → space → key → JWT → collection → record CRUD → audit log', async () => {
    await generate(join(root, 'openapi.json'), join(generated, 'portico-api.ts'));
    expect(await typecheck(join(clientDir, 'tsconfig.json'))).toBe('');

    const { porticoFlow } = await clientModule<Flow>('portico-flow');
    const flow = await porticoFlow(baseUrl, uniqueEmail('client'));
    expect(flow.key).toMatch(/^ptc_/);
    expect(flow.tokenType).toBe('Bearer');
    expect(flow.collectionVersion).toBe(1);
    expect(flow.read).toMatchObject({ id: flow.id, status: 'new', total: 42 });
    expect(flow.updated).toMatchObject({ id: flow.id, status: 'paid' });
    expect(flow.listed).toEqual([flow.id]);
    expect(flow.deletedStatus).toBe(204);
    expect(flow.goneStatus).toBe(404);
    expect(flow.goneProblem).toMatchObject({ status: 404, request_id: anyString });
    expect(flow.auditActions).toEqual(['record.delete', 'record.update', 'record.create']);
    expect(flow.chainValid).toBe(true);
  });

  it("generates a second client from a space's typed spec: typed to its collections, a wrong field is a compile error", async () => {
    const owner = await signup(t.app);
    const spaceId = (await createSpace(t.app, owner.access_token)).id;
    await createCollection(t.app, bearer(owner.access_token), spaceId);
    const key = await createKey(t.app, bearer(owner.access_token), spaceId, {
      collection_permissions: {
        orders: { read: true, write: true, exclude_fields: ['email'], writable_fields: ['status', 'total', 'notes'] },
      },
    });
    const res = await fetch(`${baseUrl}/api/spaces/${spaceId}/openapi.json`, { headers: { 'X-Api-Key': key.key } });
    expect(res.status).toBe(200);
    const specFile = join(generated, 'space-openapi.json');
    writeFileSync(specFile, await res.text());
    await generate(specFile, join(generated, 'space-api.ts'));

    // With the @ts-expect-error lines the file compiles (each directive is used: an unused one is itself an error)...
    expect(await typecheck(join(clientDir, 'tsconfig.space.json'))).toBe('');
    // ...and without them, exactly those lines fail.
    const source = readFileSync(join(clientDir, 'space-client.ts'), 'utf8');
    mkdirSync(join(generated, 'unchecked'), { recursive: true });
    writeFileSync(
      join(generated, 'unchecked', 'space-client.ts'),
      source.replace(/^\s*\/\/ @ts-expect-error.*$/gm, '').replaceAll("'./generated/", "'../"),
    );
    writeFileSync(
      join(generated, 'unchecked', 'tsconfig.json'),
      JSON.stringify({ extends: '../../tsconfig.base.json', include: ['space-client.ts', '../space-api.ts'] }),
    );
    const errors = await typecheck(join(generated, 'unchecked', 'tsconfig.json'));
    expect(errors).toMatch(/'discount' does not exist in type/);
    expect(errors).toMatch(/"lost"' is not assignable/);
    expect(errors).toMatch(/Property 'email' does not exist/);
    expect(errors.match(/error TS/g)).toHaveLength(3);

    const { createTypedOrder } = await clientModule<SpaceClient>('space-client');
    const order = await createTypedOrder(baseUrl, spaceId, key.key);
    expect(order).toMatchObject({ status: 'paid', total: 12.5, notes: 'typed' });
    expect(order).not.toHaveProperty('email');
  });
});
