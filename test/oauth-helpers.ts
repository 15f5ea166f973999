import { createHash, randomBytes } from 'node:crypto';
import type { TestApp } from './create-test-app';
import { bearer, TestUser } from './factories';

/** RFC 7636 S256: the challenge is base64url(sha256(verifier)). */
export const pkce = () => {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};

export const authorizeUrl = (params: Record<string, string>) =>
  `/oauth/authorize?${new URLSearchParams(params).toString()}`;

/** A form post, as the /oauth pages send them (and /oauth/token takes them). */
export const postForm = (
  t: TestApp,
  url: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
) =>
  t.app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    payload: new URLSearchParams(fields).toString(),
  });

export const locationOf = (res: { headers: Record<string, unknown> }) => new URL(String(res.headers.location));

/** The hidden inputs of a page's form. */
export const hiddenFields = (html: string): Record<string, string> =>
  Object.fromEntries(
    [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [
      m[1],
      m[2]
        .replace(/&quot;/g, '"')
        .replace(/&#39;/g, "'")
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&amp;/g, '&'),
    ]),
  );

export async function registerClient(
  t: TestApp,
  owner: TestUser,
  spaceId: string,
  body: Record<string, unknown>,
): Promise<{ client_id: string; client_secret?: string }> {
  const res = await t.app.inject({
    method: 'POST',
    url: `/api/spaces/${spaceId}/oauth-clients`,
    headers: bearer(owner.access_token),
    payload: body,
  });
  if (res.statusCode !== 201) throw new Error(`client registration failed: ${res.statusCode} ${res.body}`);
  return res.json<{ client_id: string; client_secret?: string }>();
}

/** Signs `user` in on the /oauth pages; returns the session cookie. */
export async function signInOnPages(t: TestApp, user: TestUser, params: Record<string, string>): Promise<string> {
  const res = await postForm(t, '/oauth/sign-in', { ...params, email: user.email, password: user.password });
  if (res.statusCode !== 303) throw new Error(`sign-in failed: ${res.statusCode}`);
  return String(res.headers['set-cookie']).split(';')[0];
}

/** Runs the browser part of the flow for `user` (sign-in, consent if asked) and returns the code. */
export async function obtainCode(t: TestApp, user: TestUser, params: Record<string, string>): Promise<string> {
  const cookie = await signInOnPages(t, user, params);
  let res = await t.app.inject({ method: 'GET', url: authorizeUrl(params), headers: { cookie } });
  if (res.statusCode === 200)
    res = await postForm(t, '/oauth/consent', { ...hiddenFields(res.body), decision: 'allow' }, { cookie });
  const code = res.statusCode === 302 ? locationOf(res).searchParams.get('code') : null;
  if (!code) throw new Error(`no code: ${res.statusCode} ${String(res.headers.location)}`);
  return code;
}
