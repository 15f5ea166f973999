import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createTestApp, TestApp } from './create-test-app';
import { createSpace, signup } from './factories';
import { anyString } from './json';
import type { Problem } from './json';

/** Raw HTTP over a socket: what Node and Fastify answer before any route runs. */
function rawRequest(port: number, text: string | Buffer, endAfter = true): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(text);
      if (endAfter) socket.end();
    });
    let out = '';
    socket.on('data', (d) => (out += d.toString()));
    socket.on('close', () => resolve(out));
    socket.on('error', (e) => (out ? resolve(out) : reject(e)));
    socket.setTimeout(5000, () => socket.destroy());
  });
}

const statusOf = (raw: string) => Number(raw.split(' ')[1]);
const bodyOf = (raw: string) => JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as Problem;
const headerOf = (raw: string, name: string) => new RegExp(`^${name}: (.*)$`, 'im').exec(raw)?.[1]?.trim();

describe('HTTP edges: every error is a problem body', () => {
  let t: TestApp;
  let port: number;
  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.getHttpServer().address() as AddressInfo).port;
  });
  afterAll(() => t.close());

  const expectClean = (raw: string, status: number) => {
    expect(statusOf(raw)).toBe(status);
    expect(headerOf(raw, 'content-type')).toContain('application/problem+json');
    const body = bodyOf(raw);
    expect(body).toMatchObject({
      status,
      type: anyString,
      title: anyString,
      request_id: anyString,
    });
    expect(raw).not.toMatch(/FST_|aaaaaaaaaa|%zz/);
  };

  it('an over-long path parameter is 414, a malformed URL 400, without echoing them', async () => {
    expectClean(
      await rawRequest(port, `GET /api/collections/${'a'.repeat(600)}/records HTTP/1.1\r\nHost: x\r\n\r\n`),
      414,
    );
    expectClean(await rawRequest(port, 'GET /api/collections/%zz/records HTTP/1.1\r\nHost: x\r\n\r\n'), 400);
  });

  it('oversized headers are 431 and broken chunked framing 400, as problems', async () => {
    expectClean(await rawRequest(port, `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`), 431);
    expectClean(
      await rawRequest(
        port,
        'POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
      ),
      400,
    );
  });

  it.each([
    ['2.5 MB with a length', 2_500_000, false],
    ['16 MB with a length', 16_000_000, false],
    ['16 MB chunked', 16_000_000, true],
  ])(
    'a client that writes its whole too-large body first still reads the 413 problem (%s)',
    async (_name, size, chunked) => {
      const text = JSON.stringify({ email: 'a@example.com', password: 'x'.repeat(size) });
      const body = chunked
        ? new ReadableStream({
            start(controller) {
              for (let i = 0; i < text.length; i += 65536)
                controller.enqueue(new TextEncoder().encode(text.slice(i, i + 65536)));
              controller.close();
            },
          })
        : text;
      const res = await fetch(`http://127.0.0.1:${port}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        ...(chunked ? { duplex: 'half' as const } : {}),
      });
      expect(res.status).toBe(413);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(((await res.json()) as { status: number }).status).toBe(413);
    },
  );

  it('keeps reading a refused body for a moment after its 413 instead of resetting the connection', async () => {
    // Half-open, as a client still sending its body is: the server's FIN does not stop it.
    const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    await new Promise((r) => socket.once('connect', r));
    let raw = '';
    let failed: Error | undefined;
    socket.on('data', (d: Buffer) => (raw += d.toString()));
    socket.on('error', (e) => (failed = e));
    const closed = new Promise((r) => socket.once('close', r));
    socket.write(
      'POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 16000000\r\n\r\n',
    );
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    for (let i = 0; i < 200 && !raw.includes('\r\n\r\n'); i++) await sleep(10);
    expect(raw).toMatch(/^HTTP\/1\.1 413 /);
    // The client goes on writing its body after the answer: the server reads it, no reset.
    const chunk = Buffer.alloc(64 * 1024, 'x');
    for (const until = Date.now() + 300; Date.now() < until;) {
      socket.write(chunk);
      await sleep(5);
    }
    await sleep(50);
    expect(failed).toBeUndefined();
    // The client gives up on the rest: the connection closes at once.
    socket.end();
    const started = Date.now();
    await closed;
    expect(Date.now() - started).toBeLessThan(2000);

    // A client that neither sends nor closes is dropped once the linger is over (2 s).
    const idle = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    await new Promise((r) => idle.once('connect', r));
    let idleRaw = '';
    idle.on('data', (d: Buffer) => (idleRaw += d.toString()));
    const dropped = new Promise<Error>((r) => idle.once('error', r));
    idle.write(
      'POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 16000000\r\n\r\n',
    );
    for (let i = 0; i < 200 && !idleRaw.includes('\r\n\r\n'); i++) await sleep(10);
    await sleep(2500);
    idle.write(chunk);
    idle.write(chunk);
    expect((await dropped).message).toMatch(/EPIPE|ECONNRESET/);
  });

  it('during the shutdown drain, new requests get a 503 problem with Retry-After and Connection: close', async () => {
    const other = await createTestApp({ db: t.db, secrets: t.secrets });
    await other.app.listen({ port: 0, host: '127.0.0.1' });
    const otherPort = (other.app.getHttpServer().address() as AddressInfo).port;
    const owner = await signup(other.app);
    await createSpace(other.app, owner.access_token);
    // A request still in flight (its body half sent) holds the drain open; a second
    // request pipelined behind it on the same connection arrives during the drain.
    const body = JSON.stringify({ name: 'slow' });
    const socket = connect(otherPort, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    let raw = '';
    socket.on('data', (d) => (raw += d.toString()));
    const closed = new Promise((r) => socket.once('close', r));
    socket.write(
      `POST /api/spaces HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${owner.access_token}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 3)}`,
    );
    await new Promise((r) => setTimeout(r, 100));
    const closing = other.app.close();
    // Nest runs its shutdown hooks before Fastify's drain begins, longer under load: wait
    // until a probe on a connection of its own is no longer served (503, or refused).
    for (let i = 0; i < 300; i++) {
      const status = await fetch(`http://127.0.0.1:${otherPort}/health/live`).then(
        (r) => r.status,
        () => 0,
      );
      if (status !== 200) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    socket.write(
      `${body.slice(3)}GET /api/spaces HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${owner.access_token}\r\n\r\n`,
    );
    await Promise.race([closed, new Promise((r) => setTimeout(r, 3000))]);
    socket.destroy();
    const responses = raw.split(/(?=HTTP\/1\.1 )/);
    expect(responses.map(statusOf)).toEqual([201, 503]);
    const drained = responses[1];
    expectClean(drained, 503);
    expect(headerOf(drained, 'retry-after')).toBe('1');
    expect(headerOf(drained, 'connection')).toBe('close');
    expect(bodyOf(drained).type).toBe('urn:portico:problem:shutting-down');
    await closing;
  });
});
