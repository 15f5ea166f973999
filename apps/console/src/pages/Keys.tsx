import { useState } from 'react';
import { useParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, must } from '../api/client';
import { Empty, formatDate, Head, Loading, ProblemBox, SecretOnce } from '../ui';
import { KeyForm, type KeyBody } from './keys-form';

/** "production-backend: orders read, write; * read" */
function permissionSummary(key: { is_admin: boolean; collection_permissions: Record<string, unknown> }): string {
  if (key.is_admin) return 'admin (everything)';
  const parts = Object.entries(key.collection_permissions).map(([name, grant]) => {
    const flags = grant as Record<string, unknown>;
    const actions = Array.isArray(grant)
      ? grant
      : ['read', 'write', 'delete', 'admin'].filter((a) => flags[a] === true);
    const fields = Array.isArray(grant) ? '' : ' (field rules)';
    return `${name}: ${actions.join(', ')}${fields}`;
  });
  return parts.join('; ') || 'none';
}

/** The space's API keys: table with filters, create, regenerate, delete. */
export function Keys() {
  const { spaceId = '' } = useParams();
  const client = useQueryClient();
  const path = { space_id: spaceId };
  const keys = useQuery({
    queryKey: ['keys', spaceId],
    queryFn: () => must(api.GET('/api/spaces/{space_id}/api-keys', { params: { path, query: { limit: 100 } } })),
  });
  const collections = useQuery({
    queryKey: ['collections', spaceId],
    queryFn: () => must(api.GET('/api/spaces/{space_id}/collections', { params: { path } })),
  });
  const refresh = () => client.invalidateQueries({ queryKey: ['keys', spaceId] });
  const [secret, setSecret] = useState<{ label: string; key: string }>();
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<string>();
  const [confirm, setConfirm] = useState<{ id: string; label: string; action: 'regenerate' | 'delete' }>();
  const [filter, setFilter] = useState({ text: '', status: '' });
  const create = useMutation({
    mutationFn: (body: KeyBody) => must(api.POST('/api/spaces/{space_id}/api-keys', { params: { path }, body })),
    onSuccess: (key) => {
      setSecret({ label: key.label, key: key.key });
      setCreating(false);
      void refresh();
    },
  });
  const edit = useMutation({
    mutationFn: ({ id, body }: { id: string; body: KeyBody }) => {
      const { expires_in: _unused, ...changes } = body;
      return must(
        api.PATCH('/api/spaces/{space_id}/api-keys/{key_id}', {
          params: { path: { space_id: spaceId, key_id: id } },
          body: changes,
        }),
      );
    },
    onSuccess: () => {
      setEditing(undefined);
      void refresh();
    },
  });
  const act = useMutation({
    mutationFn: async (c: NonNullable<typeof confirm>) => {
      const keyPath = { params: { path: { space_id: spaceId, key_id: c.id } } };
      if (c.action === 'delete') {
        await must(api.DELETE('/api/spaces/{space_id}/api-keys/{key_id}', keyPath));
        return undefined;
      }
      return must(api.POST('/api/spaces/{space_id}/api-keys/{key_id}/regenerate', keyPath));
    },
    onSuccess: (key) => {
      if (key) setSecret({ label: key.label, key: key.key });
      setConfirm(undefined);
      void refresh();
    },
  });

  const shown = (keys.data?.data ?? []).filter(
    (k) =>
      (!filter.text || `${k.label} ${k.description ?? ''}`.toLowerCase().includes(filter.text.toLowerCase())) &&
      (!filter.status || k.status === filter.status),
  );
  return (
    <>
      <div className="title-row">
        <h1>API keys</h1>
        <button type="button" className="primary" onClick={() => setCreating((c) => !c)} aria-expanded={creating}>
          + Create API key
        </button>
      </div>
      {secret ? (
        <SecretOnce label={`secret of “${secret.label}”`} secret={secret.key}>
          <button type="button" onClick={() => setSecret(undefined)}>
            I have copied it
          </button>
        </SecretOnce>
      ) : null}
      {creating ? (
        <section className="panel">
          <h2>New API key</h2>
          <KeyForm
            collections={(collections.data?.data ?? []).map((c) => ({
              name: c.name,
              fields: c.fields.map((f) => f.name),
            }))}
            error={create.error}
            busy={create.isPending}
            onSubmit={(body) => create.mutate(body)}
          />
        </section>
      ) : null}
      {editing && keys.data?.data.find((k) => k.id === editing) ? (
        <section className="panel">
          <h2>Edit “{keys.data.data.find((k) => k.id === editing)?.label}”</h2>
          <KeyForm
            key={editing}
            collections={(collections.data?.data ?? []).map((c) => ({
              name: c.name,
              fields: c.fields.map((f) => f.name),
            }))}
            initial={(() => {
              const k = keys.data.data.find((x) => x.id === editing)!;
              return {
                label: k.label,
                description: k.description ?? undefined,
                collection_permissions: k.collection_permissions,
                scopes: k.scopes,
                allowed_ips: k.allowed_ips,
                rate_limit_per_minute: k.rate_limit_per_minute,
              };
            })()}
            submitLabel="Save API key"
            error={edit.error}
            busy={edit.isPending}
            onSubmit={(body) => edit.mutate({ id: editing, body })}
          />
          <button type="button" onClick={() => setEditing(undefined)}>
            Cancel
          </button>
        </section>
      ) : null}
      {confirm ? (
        <section className="confirm" role="dialog" aria-labelledby="confirm-key-title">
          <h2 id="confirm-key-title">
            {confirm.action === 'delete' ? 'Delete' : 'Regenerate'} “{confirm.label}”?
          </h2>
          <p>
            {confirm.action === 'delete'
              ? 'Requests with this key are refused from the next one on. This cannot be undone.'
              : 'The current secret stops working at once; a new one is shown once.'}
          </p>
          <ProblemBox error={act.error} />
          <button type="button" className="danger" onClick={() => act.mutate(confirm)} disabled={act.isPending}>
            {confirm.action === 'delete' ? 'Delete key' : 'Regenerate secret'}
          </button>
          <button type="button" onClick={() => setConfirm(undefined)}>
            Cancel
          </button>
        </section>
      ) : null}
      <div className="filters" role="search">
        <label>
          Filter <input value={filter.text} onChange={(e) => setFilter({ ...filter, text: e.target.value })} />
        </label>
        <label>
          Status{' '}
          <select value={filter.status} onChange={(e) => setFilter({ ...filter, status: e.target.value })}>
            <option value="">Any</option>
            <option value="active">Active</option>
            <option value="expired">Expired</option>
          </select>
        </label>
      </div>
      {keys.isPending ? <Loading what="keys" /> : <ProblemBox error={keys.error} />}
      {keys.data && shown.length === 0 ? <Empty>No API keys{keys.data.data.length ? ' match' : ' yet'}.</Empty> : null}
      {shown.length ? (
        <table>
          <Head
            columns={[
              'Label',
              'Permissions',
              'Key',
              'Status',
              'Created',
              'Expires',
              'Last used',
              'Requests (24 h)',
              '',
            ]}
          />
          <tbody>
            {shown.map((k) => (
              <tr key={k.id}>
                <td>{k.label}</td>
                <td>{permissionSummary(k)}</td>
                <td>
                  <code>{k.masked_key}</code>
                </td>
                <td>
                  <span className={`badge ${k.status}`}>{k.status}</span>
                </td>
                <td>{formatDate(k.created_at)}</td>
                <td>{k.expires_at ? formatDate(k.expires_at) : 'Never'}</td>
                <td>{formatDate(k.last_used_at)}</td>
                <td className="number">{k.requests_24h}</td>
                <td className="actions">
                  <button type="button" onClick={() => setEditing(k.id)}>
                    Edit
                  </button>
                  <button type="button" onClick={() => setConfirm({ id: k.id, label: k.label, action: 'regenerate' })}>
                    Regenerate
                  </button>
                  <button
                    type="button"
                    className="danger"
                    onClick={() => setConfirm({ id: k.id, label: k.label, action: 'delete' })}
                  >
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </>
  );
}
