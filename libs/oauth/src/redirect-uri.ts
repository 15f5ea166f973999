/** Hosts for which plain `http` is allowed (RFC 8252 §7.3: native apps on loopback). */
const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

/**
 * Why `uri` cannot be a registered redirect URI, or undefined when it can. Redirect URIs
 * are compared exactly at /oauth/authorize (RFC 9700 §2.1: no wildcards, no prefix
 * match), so only complete, absolute URIs are accepted: `https`, or `http` on a
 * loopback host; no fragment (RFC 6749 §3.1.2), no user info, no `*`.
 */
export function redirectUriProblem(uri: unknown): string | undefined {
  if (typeof uri !== 'string' || uri.length === 0) return 'must be a URI';
  if (uri.length > 2000) return 'must be at most 2000 characters';
  if (uri.includes('*')) return 'must not contain wildcards';
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return 'must be an absolute URI';
  }
  if (url.hash || uri.includes('#')) return 'must not have a fragment';
  if (url.username || url.password) return 'must not carry user info';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:')
    return LOOPBACK.has(url.hostname) ? undefined : 'must use https (http only on loopback)';
  return 'must use https (http only on loopback)';
}
