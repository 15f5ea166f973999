import type { FormEvent } from 'react';
import { useParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError, must } from '../api/client';
import { Field, fieldError, formatDate, Head, Loading, ProblemBox } from '../ui';

const ROLES = ['owner', 'admin', 'editor', 'viewer'] as const;
type Role = (typeof ROLES)[number];

/** The server refuses to leave a space without an owner; say what to do about it. */
function LastOwnerHint({ error }: { error: unknown }) {
  if (!(error instanceof ApiError) || error.problem.status !== 409) return null;
  return (
    <p className="hint">
      A space always keeps at least one owner: make someone else an owner first, then change or remove this one.
    </p>
  );
}

/** People in the space: invite by email, change roles, remove. */
export function Members() {
  const { spaceId = '' } = useParams();
  const client = useQueryClient();
  const path = { space_id: spaceId };
  const members = useQuery({
    queryKey: ['members', spaceId],
    queryFn: () => must(api.GET('/api/spaces/{space_id}/members', { params: { path, query: { limit: 100 } } })),
  });
  const refresh = () => client.invalidateQueries({ queryKey: ['members', spaceId] });
  const invite = useMutation({
    mutationFn: (body: { email: string; role: Role }) =>
      must(api.POST('/api/spaces/{space_id}/members', { params: { path }, body })),
    onSuccess: () => void refresh(),
  });
  const change = useMutation({
    mutationFn: ({ userId, role }: { userId: string; role: Role }) =>
      must(
        api.PATCH('/api/spaces/{space_id}/members/{user_id}', {
          params: { path: { space_id: spaceId, user_id: userId } },
          body: { role },
        }),
      ),
    onSettled: () => void refresh(),
  });
  const remove = useMutation({
    mutationFn: (userId: string) =>
      must(
        api.DELETE('/api/spaces/{space_id}/members/{user_id}', {
          params: { path: { space_id: spaceId, user_id: userId } },
        }),
      ),
    onSuccess: () => void refresh(),
  });
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    invite.mutate(
      { email: String(data.get('email')), role: String(data.get('role')) as Role },
      { onSuccess: () => form.reset() },
    );
  }
  const error = change.error ?? remove.error;
  return (
    <>
      <h1>Members</h1>
      {members.isPending ? <Loading what="members" /> : <ProblemBox error={members.error} />}
      <ProblemBox error={error} />
      <LastOwnerHint error={error} />
      {members.data?.data.length ? (
        <table>
          <Head columns={['Email', 'Name', 'Role', 'Since', '']} />
          <tbody>
            {members.data.data.map((m) => (
              <tr key={m.user_id}>
                <td>{m.email}</td>
                <td>{m.name ?? ''}</td>
                <td>
                  <select
                    aria-label={`Role of ${m.email}`}
                    value={m.role}
                    onChange={(e) => change.mutate({ userId: m.user_id, role: e.target.value as Role })}
                  >
                    {ROLES.map((r) => (
                      <option key={r}>{r}</option>
                    ))}
                  </select>
                </td>
                <td>{formatDate(m.created_at)}</td>
                <td>
                  <button
                    type="button"
                    className="danger"
                    onClick={() => {
                      if (window.confirm(`Remove ${m.email} from this space?`)) remove.mutate(m.user_id);
                    }}
                  >
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <section className="panel">
        <h2>Invite</h2>
        <p className="muted">The person needs a Portico account; they see the space at their next sign-in.</p>
        <ProblemBox error={invite.error} />
        <form onSubmit={submit} className="inline" aria-label="Invite a member">
          <Field label="Email" error={fieldError(invite.error, 'email')}>
            {(id, d) => <input id={id} name="email" type="email" required aria-describedby={d} />}
          </Field>
          <Field label="Role">
            {(id) => (
              <select id={id} name="role" defaultValue="viewer">
                {ROLES.map((r) => (
                  <option key={r}>{r}</option>
                ))}
              </select>
            )}
          </Field>
          <button type="submit" className="primary" disabled={invite.isPending}>
            Add member
          </button>
        </form>
      </section>
    </>
  );
}
