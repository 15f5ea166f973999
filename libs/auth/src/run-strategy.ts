import type { Strategy } from 'passport';

/**
 * Runs one passport strategy against a request and settles with what it decided,
 * the way passport.authenticate() does, minus the Express response plumbing that
 * a Fastify app does not have. `false` means the strategy failed the credential.
 */
export function runStrategy<T>(strategy: Strategy, request: unknown): Promise<T | false> {
  return new Promise((resolve, reject) => {
    const attempt = Object.create(strategy) as {
      authenticate(req: unknown, options: object): void;
      success(user: T): void;
      fail(): void;
      error(err: unknown): void;
      pass(): void;
      redirect(): void;
    };
    attempt.success = (user) => resolve(user);
    attempt.fail = () => resolve(false);
    attempt.pass = () => resolve(false);
    attempt.redirect = () => resolve(false);
    attempt.error = (err: unknown) => reject(err instanceof Error ? err : new Error(String(err)));
    attempt.authenticate(request, { session: false });
  });
}
