import { useState } from 'react';
import { useParams } from 'react-router';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, must } from '../api/client';
import { Empty, formatDate, Head, Loading, ProblemBox } from '../ui';

/** `{ field: [before, after] }` or any other shape of `changes`, as rows. */
function Changes({ changes }: { changes: unknown }) {
  if (!changes || typeof changes !== 'object') return <span className="muted">no changes recorded</span>;
  return (
    <table className="compact">
      <Head columns={['Field', 'Before', 'After']} />
      <tbody>
        {Object.entries(changes as Record<string, unknown>).map(([field, change]) => {
          const [before, after] = Array.isArray(change) && change.length === 2 ? change : [undefined, change];
          return (
            <tr key={field}>
              <th scope="row">{field}</th>
              <td>
                <del>{before === undefined ? '' : JSON.stringify(before)}</del>
              </td>
              <td>
                <ins>{after === undefined ? '' : JSON.stringify(after)}</ins>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** The space's audit log: filters, paging, each entry's details, and the chain's verification. */
export function Audit() {
  const { spaceId = '' } = useParams();
  const [filters, setFilters] = useState<{ action?: string; actor_type?: 'user' | 'api_key'; outcome?: string }>({});
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [open, setOpen] = useState<string>();
  const cursor = cursors[cursors.length - 1];
  const path = { space_id: spaceId };
  const log = useQuery({
    queryKey: ['audit', spaceId, filters, cursor],
    queryFn: () =>
      must(
        api.GET('/api/spaces/{space_id}/audit-logs', {
          params: {
            path,
            query: {
              limit: 25,
              cursor,
              action: filters.action || undefined,
              actor_type: filters.actor_type,
              outcome: (filters.outcome || undefined) as never,
            },
          },
        }),
      ),
    placeholderData: keepPreviousData,
  });
  const verify = useQuery({
    queryKey: ['audit-verify', spaceId],
    queryFn: () => must(api.GET('/api/spaces/{space_id}/audit-logs/verify', { params: { path } })),
  });
  const v = verify.data;
  return (
    <>
      <div className="title-row">
        <h1>Audit log</h1>
        {v ? (
          <span className={`badge ${v.valid ? 'active' : 'expired'}`} role="status">
            {v.valid
              ? `Chain verified: ${v.checked} entries`
              : `Chain broken at entry ${v.first_broken_id ?? '?'}${v.reason ? ` (${v.reason.replace('_', ' ')})` : ''}`}
          </span>
        ) : (
          <ProblemBox error={verify.error} />
        )}
      </div>
      <form
        className="filters"
        aria-label="Audit filters"
        onSubmit={(e) => {
          e.preventDefault();
          const f = new FormData(e.currentTarget);
          setCursors([undefined]);
          setFilters({
            action: String(f.get('action') ?? ''),
            actor_type: (String(f.get('actor_type') ?? '') || undefined) as 'user' | 'api_key' | undefined,
            outcome: String(f.get('outcome') ?? ''),
          });
        }}
      >
        <label>
          Action <input name="action" placeholder="record.create" />
        </label>
        <label>
          Actor{' '}
          <select name="actor_type" defaultValue="">
            <option value="">any</option>
            <option value="user">user</option>
            <option value="api_key">API key</option>
          </select>
        </label>
        <label>
          Outcome{' '}
          <select name="outcome" defaultValue="">
            <option value="">any</option>
            <option value="success">success</option>
            <option value="failure">failure</option>
            <option value="denied">denied</option>
          </select>
        </label>
        <button type="submit">Filter</button>
      </form>
      {log.isPending ? <Loading what="the audit log" /> : <ProblemBox error={log.error} />}
      {log.data && log.data.data.length === 0 ? <Empty>No entries.</Empty> : null}
      {log.data?.data.length ? (
        <table>
          <Head columns={['#', 'When', 'Actor', 'Action', 'Outcome', 'Resource', '']} hidden="Details" />
          <tbody>
            {log.data.data.flatMap((e) => [
              <tr key={e.id}>
                <td>{e.seq}</td>
                <td>{formatDate(e.at)}</td>
                <td>{e.actor.label ?? e.actor.id ?? e.actor.type}</td>
                <td>
                  <code>{e.action}</code>
                </td>
                <td>{e.outcome}</td>
                <td>{e.resource ? `${e.resource.type} ${e.resource.collection ?? ''} ${e.resource.id ?? ''}` : ''}</td>
                <td>
                  <button
                    type="button"
                    aria-expanded={open === e.id}
                    onClick={() => setOpen(open === e.id ? undefined : e.id)}
                  >
                    Details
                  </button>
                </td>
              </tr>,
              open === e.id ? (
                <tr key={`${e.id}-details`}>
                  <td colSpan={7}>
                    <Changes changes={e.changes} />
                    <p className="muted">
                      {e.ip ? `From ${e.ip}` : ''} {e.request_id ? `· request ${e.request_id}` : ''}{' '}
                      {e.metadata ? `· ${JSON.stringify(e.metadata)}` : ''}
                    </p>
                  </td>
                </tr>
              ) : null,
            ])}
          </tbody>
        </table>
      ) : null}
      <div className="paging">
        <button type="button" disabled={cursors.length < 2} onClick={() => setCursors(cursors.slice(0, -1))}>
          Newer
        </button>
        <button
          type="button"
          disabled={!log.data?.next_cursor}
          onClick={() => setCursors([...cursors, log.data?.next_cursor ?? undefined])}
        >
          Older
        </button>
      </div>
    </>
  );
}
