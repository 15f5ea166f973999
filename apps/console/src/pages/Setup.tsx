import { useState, type FormEvent } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { api, must } from '../api/client';
import { session } from '../session';
import { Field, fieldError, ProblemBox, SecretOnce } from '../ui';

type Done = { spaceId: string; key: string };

/** First run: the one-time URL the server logged creates the first user, a space and an admin key. */
export function Setup() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<Done>();
  const token = params.get('token') ?? '';

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(undefined);
    try {
      const result = await must(
        api.POST('/api/setup', {
          body: {
            token,
            email: String(form.get('email')),
            password: String(form.get('password')),
            name: String(form.get('name') ?? '') || undefined,
            space_name: String(form.get('space_name')),
          },
        }),
      );
      session.set(result);
      setDone({ spaceId: result.space.id, key: result.api_key.key });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  if (done) {
    const curl = `curl -H "X-Api-Key: ${done.key}" ${window.location.origin}/api/spaces/${done.spaceId}/collections`;
    return (
      <main className="narrow">
        <h1>Portico is ready</h1>
        <SecretOnce label="admin API key" secret={done.key}>
          <p>Try it:</p>
          <pre className="curl">{curl}</pre>
          <button type="button" onClick={() => void navigator.clipboard?.writeText(curl)}>
            Copy curl
          </button>
        </SecretOnce>
        <p>
          <button type="button" className="primary" onClick={() => void navigate(`/spaces/${done.spaceId}/keys`)}>
            Go to the console
          </button>
        </p>
      </main>
    );
  }

  return (
    <main className="narrow">
      <h1>Set up Portico</h1>
      <p>This creates the first user (a platform admin), a first space and an admin API key.</p>
      {!token ? (
        <ProblemBox error={new Error('This page needs the setup link the server printed in its log.')} />
      ) : null}
      <ProblemBox error={error} />
      <form onSubmit={(e) => void submit(e)}>
        <Field label="Email" error={fieldError(error, 'email')}>
          {(id, d) => <input id={id} name="email" type="email" autoComplete="email" required aria-describedby={d} />}
        </Field>
        <Field label="Name" hint="Optional">
          {(id, d) => <input id={id} name="name" autoComplete="name" aria-describedby={d} />}
        </Field>
        <Field label="Password" hint="At least 8 characters" error={fieldError(error, 'password')}>
          {(id, d) => (
            <input id={id} name="password" type="password" autoComplete="new-password" required aria-describedby={d} />
          )}
        </Field>
        <Field label="First space" error={fieldError(error, 'space_name')}>
          {(id, d) => <input id={id} name="space_name" defaultValue="My space" required aria-describedby={d} />}
        </Field>
        <button type="submit" className="primary" disabled={busy || !token}>
          {busy ? 'Creating…' : 'Create'}
        </button>
      </form>
    </main>
  );
}
