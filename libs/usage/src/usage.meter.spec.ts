import type { FastifyReply, FastifyRequest } from 'fastify';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { AppConfig } from '@app/config';
import { UsageMeter } from './usage.meter';

interface Entry {
  s: string | null;
  k: string | null;
  c: number[];
}

/** A connection that fails while `down` is set and records each batch it takes. */
function connection() {
  const batches: Entry[][] = [];
  const state = { down: false };
  const em = {
    getConnection: () => ({
      execute: (_sql: string, params: unknown[]) => {
        if (state.down) return Promise.reject(new Error('connection refused'));
        batches.push(JSON.parse(params[0] as string) as Entry[]);
        return Promise.resolve([{ n: 1 }]);
      },
    }),
  } as unknown as EntityManager;
  return { em, batches, state };
}

const SPACE = '0190b7a4-1111-7000-8000-000000000001';
const KEY = '0190b7a4-0000-7000-8000-000000000001';
const request = { principal: { kind: 'api_key', id: KEY, spaceId: SPACE }, params: {} } as unknown as FastifyRequest;
const reply = (statusCode: number) => ({ statusCode, elapsedTime: 2 }) as FastifyReply;
const config = { usage: { flushIntervalMs: 10_000 } } as AppConfig;

describe('UsageMeter', () => {
  it('keeps what a failed flush held and writes it with the next one', async () => {
    const { em, batches, state } = connection();
    const meter = new UsageMeter(em, config);
    const minute = Date.UTC(2026, 11, 3, 12, 0);
    meter.record(request, reply(200), minute);
    meter.record(request, reply(429), minute);
    state.down = true;
    await meter.flush();
    meter.record(request, reply(200), minute + 1000);
    state.down = false;
    await meter.flush();
    expect(batches).toHaveLength(1);
    // The kept cell and the new one (the statement adds cells of the same row): nothing lost.
    for (const cell of batches[0]) expect(cell).toMatchObject({ s: SPACE, k: KEY });
    const total = batches[0].reduce((sum, cell) => sum.map((n, i) => n + cell.c[i]), new Array<number>(8).fill(0));
    expect(total).toEqual([3, 2, 0, 0, 0, 1, 0, 0]);
    await meter.flush();
    expect(batches).toHaveLength(1); // nothing new: an idle flush sends nothing
  });

  it('bounds its memory when a client invents key ids', async () => {
    const { em, batches } = connection();
    const meter = new UsageMeter(em, config);
    for (let i = 0; i < 60_000; i++) {
      const id = `0190b7a4-2222-7000-8000-${String(i).padStart(12, '0')}`;
      const refused = { params: {}, claimedKey: { id, spaceId: null } } as unknown as FastifyRequest;
      meter.record(refused, reply(401), Date.UTC(2026, 11, 3, 12, 0));
    }
    await meter.flush();
    const cells = batches[0];
    expect(cells.length).toBeLessThanOrEqual(50_001);
    expect(cells.reduce((n, c) => n + c.c[0], 0)).toBe(60_000);
  });
});
