import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, must } from '../api/client';
import type { components } from '../api/schema.generated';
import { Loading, ProblemBox } from '../ui';
import { FieldsTable } from './Collections';

type FieldDef = components['schemas']['CreateCollectionDto']['fields'][number];
type Change = components['schemas']['UpdateCollectionDto'];

/**
 * A collection's schema: rename, change, remove and add fields in one PATCH. A change that
 * records stand in the way of answers 409 with their count, shown in the server's words.
 */
export function Schema() {
  const { spaceId = '', name = '' } = useParams();
  const client = useQueryClient();
  const path = { space_id: spaceId, name };
  const collection = useQuery({
    queryKey: ['collection', spaceId, name],
    queryFn: () => must(api.GET('/api/spaces/{space_id}/collections/{name}', { params: { path } })),
  });
  const [rows, setRows] = useState<{ from: string; def: FieldDef; removed: boolean }[]>([]);
  const [added, setAdded] = useState<FieldDef[]>([]);
  useEffect(() => {
    if (collection.data)
      setRows(collection.data.fields.map((f) => ({ from: f.name, def: f as FieldDef, removed: false })));
  }, [collection.data]);
  const save = useMutation({
    mutationFn: (body: Change) =>
      must(api.PATCH('/api/spaces/{space_id}/collections/{name}', { params: { path }, body })),
    onSuccess: () => {
      setAdded([]);
      void client.invalidateQueries({ queryKey: ['collection', spaceId, name] });
      void client.invalidateQueries({ queryKey: ['collections', spaceId] });
    },
  });

  function submit() {
    const original = new Map(collection.data?.fields.map((f) => [f.name, JSON.stringify(f)]));
    const body: Change = {};
    const removed = rows.filter((r) => r.removed).map((r) => r.from);
    const renamed = Object.fromEntries(
      rows.filter((r) => !r.removed && r.def.name !== r.from).map((r) => [r.from, r.def.name]),
    );
    const changed = rows
      .filter((r) => !r.removed && original.get(r.from) !== JSON.stringify({ ...r.def, name: r.from }))
      .map((r) => ({ ...r.def, name: r.from }));
    if (removed.length) body.remove_fields = removed;
    if (Object.keys(renamed).length) body.rename_fields = renamed;
    if (changed.length) body.update_fields = changed;
    if (added.some((f) => f.name)) body.add_fields = added.filter((f) => f.name);
    save.mutate(body);
  }

  if (collection.isPending) return <Loading what="schema" />;
  if (collection.error) return <ProblemBox error={collection.error} />;
  return (
    <>
      <p>
        <Link to={`/spaces/${spaceId}/collections`}>Collections</Link> /{' '}
        <Link to={`/spaces/${spaceId}/collections/${name}/records`}>{name}</Link>
      </p>
      <h1>Schema of {name}</h1>
      <ProblemBox error={save.error} />
      {save.isSuccess ? <p role="status">Saved.</p> : null}
      <h2>Fields</h2>
      <FieldsTable
        fields={rows.map((r) => r.def)}
        removable={false}
        onChange={(defs) => setRows(rows.map((r, i) => ({ ...r, def: defs[i] })))}
      />
      <fieldset>
        <legend>Remove</legend>
        {rows.map((r, i) => (
          <label key={r.from} className="check">
            <input
              type="checkbox"
              checked={r.removed}
              onChange={(e) => setRows(rows.map((x, j) => (j === i ? { ...x, removed: e.target.checked } : x)))}
            />
            {r.from}
          </label>
        ))}
      </fieldset>
      <h2>New fields</h2>
      <FieldsTable fields={added} onChange={setAdded} prefix="New field" />
      <button type="button" onClick={() => setAdded([...added, { name: '', type: 'text' }])}>
        Add field
      </button>
      <button type="button" className="primary" onClick={submit} disabled={save.isPending}>
        Save schema
      </button>
    </>
  );
}
