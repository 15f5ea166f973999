import { Logger } from '@nestjs/common';

/**
 * Logs a degraded dependency as a state, not per request: the first failure at once,
 * then how many followed, once per interval, and the recovery once. So a lost Redis
 * or database costs a few log lines, however many requests it touches.
 */
export class StateLog {
  private failures = 0;
  private down = false;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly logger: Logger,
    private readonly what: string,
    private readonly intervalMs = 10_000,
  ) {}

  failed(reason: string | undefined): void {
    if (this.down) {
      this.failures++;
      return;
    }
    this.down = true;
    this.logger.warn(`${this.what}: ${reason ?? 'unknown error'}`);
    this.timer = setInterval(() => {
      // A quiet interval counts as recovery for callers that cannot observe success.
      if (this.failures === 0) return this.recovered();
      this.logger.warn(`${this.what}: ${this.failures} more times in the last ${this.intervalMs / 1000} s`);
      this.failures = 0;
    }, this.intervalMs).unref();
  }

  recovered(): void {
    if (!this.down) return;
    this.down = false;
    clearInterval(this.timer);
    if (this.failures > 0) this.logger.warn(`${this.what}: ${this.failures} more times before recovery`);
    this.failures = 0;
    this.logger.log(`${this.what}: recovered`);
  }
}
