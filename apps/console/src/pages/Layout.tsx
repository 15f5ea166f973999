import { useEffect, useSyncExternalStore } from 'react';
import { NavLink, Outlet, useNavigate, useParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { api, must } from '../api/client';
import { session } from '../session';

const useSignedIn = () =>
  useSyncExternalStore(
    (l) => session.subscribe(l),
    () => session.signedIn,
  );

const SPACE_PAGES = [
  ['keys', 'API keys'],
  ['collections', 'Collections'],
  ['members', 'Members'],
  ['oauth-clients', 'OAuth clients'],
  ['audit', 'Audit log'],
  ['usage', 'Usage'],
] as const;

/** The signed-in frame: header, the space's pages, and sign-in when there is no session. */
export function Layout() {
  const signedIn = useSignedIn();
  const navigate = useNavigate();
  const { spaceId } = useParams();
  useEffect(() => {
    if (!signedIn) void session.signIn();
  }, [signedIn]);
  const spaces = useQuery({
    queryKey: ['spaces'],
    queryFn: () => must(api.GET('/api/spaces', { params: { query: { limit: 100 } } })),
    enabled: signedIn,
  });
  if (!signedIn) return <p role="status">Signing in…</p>;
  const current = spaces.data?.data.find((s) => s.id === spaceId);
  return (
    <div className="app">
      <header>
        <a className="brand" href="/console/">
          Portico
        </a>
        <label className="space-picker">
          <span className="visually-hidden">Space</span>
          <select
            value={spaceId ?? ''}
            onChange={(e) => void navigate(e.target.value ? `/spaces/${e.target.value}/keys` : '/')}
          >
            <option value="">All spaces</option>
            {spaces.data?.data.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          onClick={() => {
            // Leave the signed-in frame first, so losing the session does not start a new sign-in.
            void Promise.resolve(navigate('/signed-out')).then(() => session.signOut());
          }}
        >
          Sign out
        </button>
      </header>
      {spaceId ? (
        <nav aria-label={`Space ${current?.name ?? ''}`}>
          {SPACE_PAGES.map(([path, label]) => (
            <NavLink key={path} to={`/spaces/${spaceId}/${path}`}>
              {label}
            </NavLink>
          ))}
        </nav>
      ) : null}
      <main>
        <Outlet />
      </main>
    </div>
  );
}

export function SignedOut() {
  return (
    <main className="narrow">
      <h1>Signed out</h1>
      <p>Your session was revoked.</p>
      <button type="button" className="primary" onClick={() => void session.signIn('/console/')}>
        Sign in
      </button>
    </main>
  );
}
