import { useEffect, useRef, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { session } from '../session';
import { ProblemBox } from '../ui';

/** Where the sign-in page sends the browser back with a code. */
export function Callback() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const [error, setError] = useState<unknown>();
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return; // a code is spent once, even in React's double effects
    started.current = true;
    session.complete(params).then(
      (to) => void navigate(to.replace(/^\/console/, '') || '/', { replace: true }),
      (e: unknown) => setError(e),
    );
  }, [params, navigate]);
  return (
    <main className="narrow">
      {error ? (
        <>
          <ProblemBox error={error} />
          <button type="button" onClick={() => void session.signIn('/console/')}>
            Sign in again
          </button>
        </>
      ) : (
        <p role="status">Signing in…</p>
      )}
    </main>
  );
}
