import type { FastifyRequest } from 'fastify';
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

const DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:', 'validator.swagger.io'],
  connectSrc: ["'self'"],
};

/**
 * The headers for a request that came over HTTPS and for one that came over plain
 * HTTP. `upgrade-insecure-requests` and HSTS belong to HTTPS only: sent over plain HTTP
 * to a host other than localhost, the first makes the browser fetch /docs' assets over
 * https (a blank page on `http://my-vm:3000/docs`), and HSTS is ignored there anyway.
 */
export function securityHeadersByProtocol(): (request: FastifyRequest) => Readonly<Record<string, string>> {
  const https = securityHeaders({ contentSecurityPolicy: { directives: DIRECTIVES } });
  const http = securityHeaders({
    contentSecurityPolicy: { directives: { ...DIRECTIVES, upgradeInsecureRequests: null } },
    strictTransportSecurity: false,
  });
  // `request.protocol` is 'https' for TLS, or from X-Forwarded-Proto when the proxy is trusted (TRUST_PROXY).
  return (request) => (request.protocol === 'https' ? https : http);
}
