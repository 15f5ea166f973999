import type { LoggerService } from '@nestjs/common';
import pino, { DestinationStream, Logger } from 'pino';

/** Credential headers and secret-bearing fields, wherever a log line might carry them. */
export const REDACT_PATHS = [
  'request.headers.authorization',
  'request.headers["x-api-key"]',
  'request.headers["x-undb-api-token"]',
  'request.headers.cookie',
  'request.headers["proxy-authorization"]',
  ...['password', 'token', 'key', 'secret', 'api_key', 'access_token', 'refresh_token', 'client_secret'].flatMap(
    (f) => [f, `*.${f}`, `*.*.${f}`, `request.body.${f}`],
  ),
];

const OPTIONS = {
  base: undefined,
  messageKey: 'msg',
  timestamp: pino.stdTimeFunctions.isoTime,
  formatters: { level: (label: string) => ({ level: label }) },
};

/**
 * Standard output, written asynchronously: lines queued while a write is in flight go
 * out together, off the request path. pino flushes what is left when the process exits.
 */
export const stdoutDestination = (): DestinationStream => pino.destination({ dest: 1, sync: false });

/** The application's logger: anything may be logged, so credentials are redacted wherever they appear. */
export function createLogger(level: string, destination: DestinationStream = stdoutDestination()): Logger {
  return pino({ ...OPTIONS, level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, destination);
}

/**
 * The per-request access line's logger, on the same destination. It skips redaction
 * (which walks every line for the wildcard paths above, a tenth of a cached read's
 * CPU) because the line is built from fields that cannot hold a credential.
 */
export function createAccessLogger(level: string, destination: DestinationStream): Logger {
  return pino({ ...OPTIONS, level }, destination);
}

/** Routes Nest's own logging (bootstrap, exceptions) into the same JSON stream. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  private write(level: 'info' | 'error' | 'warn' | 'debug' | 'trace', message: unknown, params: unknown[]) {
    const context = typeof params[params.length - 1] === 'string' ? (params.pop() as string) : undefined;
    if (typeof message === 'object' && message !== null) {
      this.logger[level]({ context, ...message });
    } else {
      this.logger[level]({ context }, String(message));
    }
  }

  log(message: unknown, ...params: unknown[]) {
    this.write('info', message, params);
  }
  error(message: unknown, ...params: unknown[]) {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]) {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]) {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]) {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]) {
    this.write('error', message, params);
  }
}
