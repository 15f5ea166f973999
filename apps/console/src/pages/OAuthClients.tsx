import { useState, type FormEvent } from 'react';
import { useParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, must } from '../api/client';
import type { components } from '../api/schema.generated';
import { Empty, Field, fieldError, formatDate, Head, Loading, ProblemBox, SecretOnce } from '../ui';

type NewClient = components['schemas']['CreateOAuthClientDto'];
const SCOPES: NewClient['scopes'] = [
  'openid',
  'profile',
  'email',
  'offline_access',
  'records:read',
  'records:write',
  'records:delete',
  'collections:admin',
  'keys:admin',
  'audit:read',
];

/** Apps that act for the space's users: register, secret shown once, regenerate, delete. */
export function OAuthClients() {
  const { spaceId = '' } = useParams();
  const client = useQueryClient();
  const path = { space_id: spaceId };
  const clients = useQuery({
    queryKey: ['oauth-clients', spaceId],
    queryFn: () => must(api.GET('/api/spaces/{space_id}/oauth-clients', { params: { path, query: { limit: 100 } } })),
  });
  const refresh = () => client.invalidateQueries({ queryKey: ['oauth-clients', spaceId] });
  const [secret, setSecret] = useState<{ name: string; secret: string; id: string }>();
  const create = useMutation({
    mutationFn: (body: NewClient) => must(api.POST('/api/spaces/{space_id}/oauth-clients', { params: { path }, body })),
    onSuccess: (c) => {
      if (c.client_secret) setSecret({ name: c.name, secret: c.client_secret, id: c.client_id });
      void refresh();
    },
  });
  const rotate = useMutation({
    mutationFn: (id: string) =>
      must(
        api.POST('/api/spaces/{space_id}/oauth-clients/{client_id}/regenerate-secret', {
          params: { path: { space_id: spaceId, client_id: id } },
        }),
      ),
    onSuccess: (c) => setSecret({ name: c.name, secret: c.client_secret ?? '', id: c.client_id }),
  });
  const remove = useMutation({
    mutationFn: (id: string) =>
      must(
        api.DELETE('/api/spaces/{space_id}/oauth-clients/{client_id}', {
          params: { path: { space_id: spaceId, client_id: id } },
        }),
      ),
    onSuccess: () => void refresh(),
  });
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    create.mutate({
      name: String(data.get('name')),
      type: String(data.get('type')) as NewClient['type'],
      redirect_uris: String(data.get('redirect_uris')).split(/\s+/).filter(Boolean),
      scopes: data.getAll('scopes').map(String) as NewClient['scopes'],
    });
  }
  return (
    <>
      <h1>OAuth clients</h1>
      {secret ? (
        <SecretOnce label={`client secret of “${secret.name}”`} secret={secret.secret}>
          <p>
            Client ID: <code>{secret.id}</code>
          </p>
          <button type="button" onClick={() => setSecret(undefined)}>
            I have copied it
          </button>
        </SecretOnce>
      ) : null}
      {clients.isPending ? <Loading what="clients" /> : <ProblemBox error={clients.error} />}
      <ProblemBox error={rotate.error ?? remove.error} />
      {clients.data && clients.data.data.length === 0 ? <Empty>No OAuth clients yet.</Empty> : null}
      {clients.data?.data.length ? (
        <table>
          <Head columns={['Name', 'Client ID', 'Type', 'Redirect URIs', 'Scopes', 'Created', '']} />
          <tbody>
            {clients.data.data.map((c) => (
              <tr key={c.client_id}>
                <td>{c.name}</td>
                <td>
                  <code>{c.client_id}</code>
                </td>
                <td>{c.type}</td>
                <td>{c.redirect_uris.join(' ')}</td>
                <td>{c.scopes.join(' ')}</td>
                <td>{formatDate(c.created_at)}</td>
                <td className="actions">
                  {c.type === 'confidential' ? (
                    <button
                      type="button"
                      onClick={() => {
                        if (window.confirm('The current secret stops working at once. Regenerate?'))
                          rotate.mutate(c.client_id);
                      }}
                    >
                      Regenerate secret
                    </button>
                  ) : null}
                  <button
                    type="button"
                    className="danger"
                    onClick={() => {
                      if (window.confirm(`Delete “${c.name}”? Its tokens stop working.`)) remove.mutate(c.client_id);
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
      <section className="panel">
        <h2>Register a client</h2>
        <ProblemBox error={create.error} />
        <form onSubmit={submit} aria-label="Register a client">
          <Field label="Name" error={fieldError(create.error, 'name')}>
            {(id, d) => <input id={id} name="name" required aria-describedby={d} />}
          </Field>
          <Field
            label="Type"
            hint="Confidential: a server that keeps a secret. Public: a browser or mobile app (PKCE)."
          >
            {(id, d) => (
              <select id={id} name="type" defaultValue="confidential" aria-describedby={d}>
                <option value="confidential">confidential</option>
                <option value="public">public</option>
              </select>
            )}
          </Field>
          <Field
            label="Redirect URIs"
            hint="One per line, exactly as the app sends them"
            error={fieldError(create.error, 'redirect_uris')}
          >
            {(id, d) => <textarea id={id} name="redirect_uris" rows={2} cols={60} required aria-describedby={d} />}
          </Field>
          <fieldset>
            <legend>Scopes the app may ask for</legend>
            {SCOPES.map((s) => (
              <label key={s} className="check">
                <input
                  type="checkbox"
                  name="scopes"
                  value={s}
                  defaultChecked={s === 'openid' || s === 'records:read'}
                />{' '}
                {s}
              </label>
            ))}
          </fieldset>
          <button type="submit" className="primary" disabled={create.isPending}>
            Register client
          </button>
        </form>
      </section>
    </>
  );
}
