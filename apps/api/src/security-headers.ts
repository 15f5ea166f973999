import helmet, { HelmetOptions } from 'helmet';

/**
 * Helmet's headers for these options, computed once. Its Fastify plugin rebuilds the
 * middleware (re-parsing the CSP) in two hooks on every request; the headers never
 * differ between requests here (no CSP nonces), so one precomputed map serves all.
 */
export function securityHeaders(options: HelmetOptions): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: string | string[]) => void (headers[name] = [value].flat().join(', ')),
    removeHeader: (name: string) => void delete headers[name],
  };
  helmet(options)({} as never, response as never, () => undefined);
  return Object.freeze(headers);
}
