import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, must } from '../api/client';
import { Empty, Field, fieldError, formatDate, Head, Loading, ProblemBox } from '../ui';

/** The user's spaces: list, create, rename, delete (typed confirmation). */
export function Spaces() {
  const client = useQueryClient();
  const spaces = useQuery({
    queryKey: ['spaces'],
    queryFn: () => must(api.GET('/api/spaces', { params: { query: { limit: 100 } } })),
  });
  const create = useMutation({
    mutationFn: (name: string) => must(api.POST('/api/spaces', { body: { name } })),
    onSuccess: () => client.invalidateQueries({ queryKey: ['spaces'] }),
  });
  const remove = useMutation({
    mutationFn: (id: string) => must(api.DELETE('/api/spaces/{space_id}', { params: { path: { space_id: id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: ['spaces'] }),
  });
  const [confirming, setConfirming] = useState<{ id: string; name: string }>();
  const [renaming, setRenaming] = useState<string>();
  const me = useQuery({ queryKey: ['me'], queryFn: () => must(api.GET('/api/auth/me')) });
  const platformAdmin = (me.data as { is_platform_admin?: boolean } | undefined)?.is_platform_admin === true;
  const update = useMutation({
    mutationFn: ({ id, body }: { id: string; body: { name?: string; tier?: string } }) =>
      must(api.PATCH('/api/spaces/{space_id}', { params: { path: { space_id: id } }, body })),
    onSuccess: () => {
      setRenaming(undefined);
      void client.invalidateQueries({ queryKey: ['spaces'] });
    },
  });

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    create.mutate(String(new FormData(form).get('name')), { onSuccess: () => form.reset() });
  }

  return (
    <>
      <h1>Spaces</h1>
      {spaces.isPending ? <Loading what="spaces" /> : <ProblemBox error={spaces.error} />}
      <ProblemBox error={update.error} />
      {spaces.data && spaces.data.data.length === 0 ? <Empty>No spaces yet: create one below.</Empty> : null}
      {spaces.data?.data.length ? (
        <table>
          <Head columns={['Name', 'Tier', 'Your role', 'Created', '']} />
          <tbody>
            {spaces.data.data.map((s) => (
              <tr key={s.id}>
                <td>
                  {renaming === s.id ? (
                    <form
                      className="inline"
                      aria-label={`Rename ${s.name}`}
                      onSubmit={(e) => {
                        e.preventDefault();
                        update.mutate({ id: s.id, body: { name: String(new FormData(e.currentTarget).get('name')) } });
                      }}
                    >
                      <label>
                        <span className="visually-hidden">New name</span>
                        <input name="name" defaultValue={s.name} required maxLength={100} autoFocus />
                      </label>
                      <button type="submit">Save</button>
                      <button type="button" onClick={() => setRenaming(undefined)}>
                        Cancel
                      </button>
                    </form>
                  ) : (
                    <Link to={`/spaces/${s.id}/keys`}>{s.name}</Link>
                  )}
                </td>
                <td>
                  {platformAdmin ? (
                    <form
                      className="inline"
                      aria-label={`Tier of ${s.name}`}
                      onSubmit={(e) => {
                        e.preventDefault();
                        update.mutate({ id: s.id, body: { tier: String(new FormData(e.currentTarget).get('tier')) } });
                      }}
                    >
                      <label>
                        <span className="visually-hidden">Tier of {s.name}</span>
                        <input name="tier" defaultValue={s.tier} size={12} />
                      </label>
                      <button type="submit">Set</button>
                    </form>
                  ) : (
                    s.tier
                  )}
                </td>
                <td>{s.role}</td>
                <td>{formatDate(s.created_at)}</td>
                <td className="actions">
                  {s.role === 'owner' ? (
                    <>
                      <button type="button" onClick={() => setRenaming(s.id)}>
                        Rename
                      </button>
                      <button
                        type="button"
                        className="danger"
                        onClick={() => setConfirming({ id: s.id, name: s.name })}
                      >
                        Delete
                      </button>
                    </>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {confirming ? (
        <DeleteSpace
          name={confirming.name}
          error={remove.error}
          onCancel={() => setConfirming(undefined)}
          onConfirm={() => remove.mutate(confirming.id, { onSuccess: () => setConfirming(undefined) })}
        />
      ) : null}
      <h2>Create a space</h2>
      <ProblemBox error={create.error} />
      <form onSubmit={submit} className="inline">
        <Field label="Name" error={fieldError(create.error, 'name')}>
          {(id, d) => <input id={id} name="name" required maxLength={200} aria-describedby={d} />}
        </Field>
        <button type="submit" className="primary" disabled={create.isPending}>
          Create space
        </button>
      </form>
    </>
  );
}

function DeleteSpace(props: { name: string; error: unknown; onCancel: () => void; onConfirm: () => void }) {
  const [typed, setTyped] = useState('');
  return (
    <section className="confirm" role="dialog" aria-modal="false" aria-labelledby="delete-space-title">
      <h2 id="delete-space-title">Delete “{props.name}”?</h2>
      <p>Its collections, records, keys and members go with it. Type the space's name to confirm.</p>
      <ProblemBox error={props.error} />
      <Field label="Space name">
        {(id) => <input id={id} value={typed} onChange={(e) => setTyped(e.target.value)} autoFocus />}
      </Field>
      <button type="button" className="danger" disabled={typed !== props.name} onClick={props.onConfirm}>
        Delete space
      </button>
      <button type="button" onClick={props.onCancel}>
        Cancel
      </button>
    </section>
  );
}
