import { randomBytes } from 'node:crypto';

/** W3C Trace Context: version 00, a 32-hex trace id and a 16-hex parent id (neither all zeros), flags. */
const TRACEPARENT = /^00-(?!0{32})([0-9a-f]{32})-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/;

/** The trace id of a valid `traceparent` header, or undefined (an invalid one is ignored, as the spec says). */
export function traceIdOf(header: string | string[] | undefined): string | undefined {
  return typeof header === 'string' ? TRACEPARENT.exec(header)?.[1] : undefined;
}

/** The `traceresponse` header answering a traced request: the same trace, this server's span. */
export function traceResponse(traceId: string): string {
  return `00-${traceId}-${randomBytes(8).toString('hex')}-01`;
}
