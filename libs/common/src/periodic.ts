import type { Logger } from '@nestjs/common';

/**
 * Runs `job` every `ms` in the background (the timer never keeps the process alive), one
 * run at a time: a slow run is not overlapped by the next tick. A failure is logged as a
 * warning naming `what`, and the next tick tries again. Returns the stop function.
 */
export function runPeriodically(ms: number, job: () => Promise<unknown>, logger: Logger, what: string): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    job()
      .catch((error: unknown) => logger.warn(`${what} failed: ${(error as Error).message}`))
      .finally(() => (running = false));
  }, ms).unref();
  return () => clearInterval(timer);
}
