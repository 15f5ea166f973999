import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, must } from '../api/client';
import { Empty, Head, Loading, ProblemBox } from '../ui';
import { RecordForm, type FieldInfo, type RecordBody } from './record-form';

const OPERATORS = [
  'eq',
  'ne',
  'gt',
  'gte',
  'lt',
  'lte',
  'contains',
  'starts_with',
  'ends_with',
  'in',
  'is_null',
] as const;
interface Condition {
  field: string;
  op: (typeof OPERATORS)[number];
  value: string;
}

/** The builder's conditions as the API's JSON filter: `{ "and": [{ "status": { "eq": "paid" } }] }`. */
function toFilter(conditions: Condition[], fields: FieldInfo[]): string | undefined {
  const parts = conditions
    .filter((c) => c.field)
    .map((c) => {
      const type = fields.find((f) => f.name === c.field)?.type;
      const typed = (v: string): unknown =>
        type === 'number' || type === 'integer' ? Number(v) : type === 'boolean' ? v === 'true' : v;
      const value =
        c.op === 'is_null'
          ? c.value !== 'false'
          : c.op === 'in'
            ? c.value.split(',').map((v) => typed(v.trim()))
            : typed(c.value);
      return { [c.field]: { [c.op]: value } };
    });
  return parts.length ? JSON.stringify(parts.length === 1 ? parts[0] : { and: parts }) : undefined;
}

const cell = (v: unknown) =>
  v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);

/** A collection's records: filter builder (or raw JSON), sort, columns, cursor paging, create, edit, delete. */
export function Records() {
  const { spaceId = '', name = '' } = useParams();
  const client = useQueryClient();
  const collection = useQuery({
    queryKey: ['collection', spaceId, name],
    queryFn: () =>
      must(api.GET('/api/spaces/{space_id}/collections/{name}', { params: { path: { space_id: spaceId, name } } })),
  });
  const fields: FieldInfo[] = (collection.data?.fields ?? []) as FieldInfo[];
  const [conditions, setConditions] = useState<Condition[]>([]);
  const [raw, setRaw] = useState('');
  const [applied, setApplied] = useState<{ filter?: string; sort?: string }>({});
  const [hidden, setHidden] = useState<Set<string>>(new Set());
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [editing, setEditing] = useState<{ id?: string; initial?: RecordBody }>();
  const cursor = cursors[cursors.length - 1];
  const shown = fields.filter((f) => !hidden.has(f.name));
  const records = useQuery({
    queryKey: ['records', spaceId, name, applied, cursor, [...hidden].join(',')],
    queryFn: () =>
      must(
        api.GET('/api/spaces/{space_id}/collections/{name}/records', {
          params: {
            path: { space_id: spaceId, name },
            query: {
              limit: 25,
              cursor,
              filter: applied.filter,
              sort: applied.sort,
              fields: hidden.size ? shown.map((f) => f.name).join(',') || undefined : undefined,
            },
          },
        }),
      ),
    enabled: collection.isSuccess,
    placeholderData: keepPreviousData,
  });
  const refresh = () => client.invalidateQueries({ queryKey: ['records', spaceId, name] });
  const save = useMutation({
    mutationFn: ({ id, body }: { id?: string; body: RecordBody }) =>
      id
        ? must(
            api.PATCH('/api/spaces/{space_id}/collections/{name}/records/{id}', {
              params: { path: { space_id: spaceId, name, id } },
              body,
            }),
          )
        : must(
            api.POST('/api/spaces/{space_id}/collections/{name}/records', {
              params: { path: { space_id: spaceId, name } },
              body,
            }),
          ),
    onSuccess: () => {
      setEditing(undefined);
      void refresh();
    },
  });
  const remove = useMutation({
    mutationFn: (id: string) =>
      must(
        api.DELETE('/api/spaces/{space_id}/collections/{name}/records/{id}', {
          params: { path: { space_id: spaceId, name, id } },
        }),
      ),
    onSuccess: () => void refresh(),
  });

  function apply(sortField: string, direction: string) {
    setCursors([undefined]);
    setApplied({
      filter: raw.trim() || toFilter(conditions, fields),
      sort: sortField ? `${direction === 'desc' ? '-' : ''}${sortField}` : undefined,
    });
  }

  if (collection.isPending) return <Loading what="collection" />;
  if (collection.error) return <ProblemBox error={collection.error} />;
  const rows = (records.data?.data ?? []) as (RecordBody & { id: string })[];
  return (
    <>
      <p>
        <Link to={`/spaces/${spaceId}/collections`}>Collections</Link> / {name} ·{' '}
        <Link to={`/spaces/${spaceId}/collections/${name}/schema`}>Edit schema</Link>
      </p>
      <div className="title-row">
        <h1>Records of {name}</h1>
        <button type="button" className="primary" onClick={() => setEditing({})}>
          + New record
        </button>
      </div>
      {editing ? (
        <RecordForm
          fields={fields}
          initial={editing.initial}
          error={save.error}
          busy={save.isPending}
          submitLabel={editing.id ? 'Save record' : 'Create record'}
          onSubmit={(body) => save.mutate({ id: editing.id, body })}
          onCancel={() => setEditing(undefined)}
        />
      ) : null}
      <form
        className="panel"
        aria-label="Filter and sort"
        onSubmit={(e) => {
          e.preventDefault();
          const form = new FormData(e.currentTarget);
          apply(String(form.get('sort') ?? ''), String(form.get('direction') ?? 'asc'));
        }}
      >
        <h2>Filter</h2>
        {conditions.map((c, i) => {
          const set = (patch: Partial<Condition>) =>
            setConditions(conditions.map((x, j) => (j === i ? { ...x, ...patch } : x)));
          return (
            <div key={i} className="condition">
              <select
                aria-label={`Condition ${i + 1} field`}
                value={c.field}
                onChange={(e) => set({ field: e.target.value })}
              >
                <option value="">field…</option>
                {fields.map((f) => (
                  <option key={f.name}>{f.name}</option>
                ))}
              </select>
              <select
                aria-label={`Condition ${i + 1} operator`}
                value={c.op}
                onChange={(e) => set({ op: e.target.value as Condition['op'] })}
              >
                {OPERATORS.map((o) => (
                  <option key={o}>{o}</option>
                ))}
              </select>
              <input
                aria-label={`Condition ${i + 1} value`}
                value={c.value}
                onChange={(e) => set({ value: e.target.value })}
              />
              <button type="button" onClick={() => setConditions(conditions.filter((_, j) => j !== i))}>
                Remove
              </button>
            </div>
          );
        })}
        <button type="button" onClick={() => setConditions([...conditions, { field: '', op: 'eq', value: '' }])}>
          Add condition
        </button>
        <details>
          <summary>Raw JSON filter</summary>
          <label>
            <span className="visually-hidden">Raw JSON filter</span>
            <textarea
              rows={3}
              cols={60}
              value={raw}
              placeholder='{"status": {"eq": "paid"}}'
              onChange={(e) => setRaw(e.target.value)}
            />
          </label>
        </details>
        <div className="condition">
          <label>
            Sort by{' '}
            <select name="sort" defaultValue="">
              <option value="">newest first</option>
              {fields.map((f) => (
                <option key={f.name}>{f.name}</option>
              ))}
            </select>
          </label>
          <label>
            Direction{' '}
            <select name="direction" defaultValue="asc">
              <option value="asc">ascending</option>
              <option value="desc">descending</option>
            </select>
          </label>
          <button type="submit" className="primary">
            Apply
          </button>
        </div>
      </form>
      <fieldset>
        <legend>Columns</legend>
        {fields.map((f) => (
          <label key={f.name} className="check">
            <input
              type="checkbox"
              checked={!hidden.has(f.name)}
              onChange={() => {
                const next = new Set(hidden);
                if (next.has(f.name)) next.delete(f.name);
                else next.add(f.name);
                setHidden(next);
                setCursors([undefined]);
              }}
            />
            {f.name}
          </label>
        ))}
      </fieldset>
      {records.isPending ? <Loading what="records" /> : <ProblemBox error={records.error} />}
      {records.data && rows.length === 0 ? (
        <Empty>No records{applied.filter ? ' match this filter' : ' yet'}.</Empty>
      ) : null}
      {rows.length ? (
        <table>
          <Head columns={[...shown.map((f) => f.name), '']} />
          <tbody>
            {rows.map((r) => (
              <tr key={r.id}>
                {shown.map((f) => (
                  <td key={f.name}>{cell(r[f.name])}</td>
                ))}
                <td className="actions">
                  <button type="button" onClick={() => setEditing({ id: r.id, initial: r })}>
                    Edit
                  </button>
                  <button
                    type="button"
                    className="danger"
                    onClick={() => {
                      if (window.confirm('Delete this record?')) remove.mutate(r.id);
                    }}
                  >
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <ProblemBox error={remove.error} />
      <div className="paging">
        <button type="button" disabled={cursors.length < 2} onClick={() => setCursors(cursors.slice(0, -1))}>
          Previous
        </button>
        <button
          type="button"
          disabled={!records.data?.next_cursor}
          onClick={() => setCursors([...cursors, records.data?.next_cursor ?? undefined])}
        >
          Next
        </button>
      </div>
    </>
  );
}
