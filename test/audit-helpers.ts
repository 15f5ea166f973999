import type { LightMyRequestResponse } from 'fastify';
import type { TestApp } from './create-test-app';
import type { AuditLogDto, Page } from './json';

/** An entry as the audit log API returns it. */
export type Entry = AuditLogDto;

export const requestIdOf = (res: LightMyRequestResponse) => String(res.headers['x-request-id']);

/** Every entry of a log (space, or the platform's with `spaceId` null), newest first, walking all pages. */
export async function readLog(
  t: TestApp,
  headers: Record<string, string>,
  spaceId: string | null,
  query: Record<string, string> = {},
): Promise<Entry[]> {
  const out: Entry[] = [];
  let cursor: string | undefined;
  do {
    const qs = new URLSearchParams({ ...query, limit: '1000', ...(cursor ? { cursor } : {}) });
    const url = spaceId ? `/api/spaces/${spaceId}/audit-logs?${qs.toString()}` : `/api/audit-logs?${qs.toString()}`;
    const res = await t.app.inject({ method: 'GET', url, headers });
    if (res.statusCode !== 200) throw new Error(`audit log read failed: ${res.statusCode} ${res.body}`);
    const body = res.json<Page<Entry>>();
    out.push(...body.data);
    cursor = body.next_cursor ?? undefined;
  } while (cursor);
  return out;
}

/** The one entry of `action` written for the request that answered `res`. */
export async function entryFor(
  t: TestApp,
  headers: Record<string, string>,
  spaceId: string | null,
  action: string,
  res: LightMyRequestResponse,
): Promise<Entry> {
  const entries = (await readLog(t, headers, spaceId, { action })).filter((e) => e.request_id === requestIdOf(res));
  if (entries.length !== 1)
    throw new Error(`expected one ${action} entry for request ${requestIdOf(res)}, found ${entries.length}`);
  return entries[0];
}
