import { useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, must } from '../api/client';
import type { components } from '../api/schema.generated';
import { Empty, Field, fieldError, Head, Loading, ProblemBox } from '../ui';

type FieldDef = components['schemas']['CreateCollectionDto']['fields'][number];
type FieldType = FieldDef['type'];
export const FIELD_TYPES: FieldType[] = [
  'text',
  'number',
  'integer',
  'boolean',
  'date',
  'datetime',
  'email',
  'url',
  'select',
  'multi_select',
  'json',
];

/** One field's row in a schema form: name, type, flags, choices for the select types. */
function FieldRow(props: {
  value: FieldDef;
  onChange: (f: FieldDef) => void;
  onRemove?: () => void;
  index: number;
  prefix: string;
}) {
  const f = props.value;
  const choices = f.type === 'select' || f.type === 'multi_select';
  const set = (patch: Partial<FieldDef>) => props.onChange({ ...f, ...patch });
  const n = `${props.prefix} ${props.index + 1}`;
  return (
    <tr>
      <td>
        <input aria-label={`${n} name`} value={f.name} onChange={(e) => set({ name: e.target.value })} required />
      </td>
      <td>
        <select aria-label={`${n} type`} value={f.type} onChange={(e) => set({ type: e.target.value as FieldType })}>
          {FIELD_TYPES.map((t) => (
            <option key={t}>{t}</option>
          ))}
        </select>
      </td>
      <td>
        <input
          type="checkbox"
          aria-label={`${n} required`}
          checked={f.required ?? false}
          onChange={(e) => set({ required: e.target.checked })}
        />
      </td>
      <td>
        <input
          type="checkbox"
          aria-label={`${n} unique`}
          checked={f.unique ?? false}
          onChange={(e) => set({ unique: e.target.checked })}
        />
      </td>
      <td>
        {choices ? (
          <input
            aria-label={`${n} choices`}
            placeholder="new, paid, shipped"
            value={(f.options?.choices ?? []).join(', ')}
            onChange={(e) =>
              set({
                options: {
                  ...f.options,
                  choices: e.target.value
                    .split(',')
                    .map((c) => c.trim())
                    .filter(Boolean),
                },
              })
            }
          />
        ) : null}
      </td>
      <td>
        {props.onRemove ? (
          <button type="button" onClick={props.onRemove} aria-label={`Remove ${n}`}>
            Remove
          </button>
        ) : null}
      </td>
    </tr>
  );
}

export function FieldsTable(props: {
  fields: FieldDef[];
  onChange: (fields: FieldDef[]) => void;
  removable?: boolean;
  prefix?: string;
}) {
  return (
    <table className="compact">
      <Head columns={['Name', 'Type', 'Required', 'Unique', 'Choices', '']} />
      <tbody>
        {props.fields.map((f, i) => (
          <FieldRow
            key={i}
            index={i}
            prefix={props.prefix ?? 'Field'}
            value={f}
            onChange={(next) => props.onChange(props.fields.map((x, j) => (j === i ? next : x)))}
            onRemove={
              props.removable !== false ? () => props.onChange(props.fields.filter((_, j) => j !== i)) : undefined
            }
          />
        ))}
      </tbody>
    </table>
  );
}

/** The space's collections and a form for a new one. */
export function Collections() {
  const { spaceId = '' } = useParams();
  const client = useQueryClient();
  const collections = useQuery({
    queryKey: ['collections', spaceId],
    queryFn: () => must(api.GET('/api/spaces/{space_id}/collections', { params: { path: { space_id: spaceId } } })),
  });
  const [fields, setFields] = useState<FieldDef[]>([{ name: '', type: 'text' }]);
  const create = useMutation({
    mutationFn: (body: components['schemas']['CreateCollectionDto']) =>
      must(api.POST('/api/spaces/{space_id}/collections', { params: { path: { space_id: spaceId } }, body })),
    onSuccess: () => {
      setFields([{ name: '', type: 'text' }]);
      void client.invalidateQueries({ queryKey: ['collections', spaceId] });
    },
  });
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    create.mutate({
      name: String(form.get('name')),
      description: String(form.get('description') ?? '') || undefined,
      fields: fields.filter((f) => f.name),
    });
  }
  return (
    <>
      <h1>Collections</h1>
      {collections.isPending ? <Loading what="collections" /> : <ProblemBox error={collections.error} />}
      {collections.data && collections.data.data.length === 0 ? <Empty>No collections yet.</Empty> : null}
      {collections.data?.data.length ? (
        <table>
          <Head columns={['Name', 'Fields', 'Description', '']} />
          <tbody>
            {collections.data.data.map((c) => (
              <tr key={c.name}>
                <td>
                  <Link to={`/spaces/${spaceId}/collections/${c.name}/records`}>{c.name}</Link>
                </td>
                <td>{c.fields.map((f) => `${f.name} (${f.type})`).join(', ')}</td>
                <td>{c.description ?? ''}</td>
                <td>
                  <Link to={`/spaces/${spaceId}/collections/${c.name}/schema`}>Edit schema</Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <section className="panel">
        <h2>New collection</h2>
        <ProblemBox error={create.error} />
        <form onSubmit={submit} aria-label="New collection">
          <Field
            label="Collection name"
            hint="Lowercase letters, digits and _"
            error={fieldError(create.error, 'name')}
          >
            {(id, d) => <input id={id} name="name" required aria-describedby={d} />}
          </Field>
          <Field label="Description" hint="Optional">
            {(id, d) => <input id={id} name="description" aria-describedby={d} />}
          </Field>
          <FieldsTable fields={fields} onChange={setFields} />
          <button type="button" onClick={() => setFields([...fields, { name: '', type: 'text' }])}>
            Add field
          </button>
          <button type="submit" className="primary" disabled={create.isPending}>
            Create collection
          </button>
        </form>
      </section>
    </>
  );
}
