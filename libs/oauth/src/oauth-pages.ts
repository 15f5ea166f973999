import { AUTHORIZE_PARAMS, AuthorizeParams } from './authorize-request';
import { OAUTH_SCOPES, OAuthScope } from '@app/common';

/**
 * The /oauth pages: small server-rendered HTML, no script, nothing loaded from
 * elsewhere, forms that work without JavaScript, labels on every input.
 */
const escape = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f5f6f8;color:#1b1f24}
main{max-width:26rem;margin:4rem auto;background:#fff;padding:2rem;border-radius:.75rem;box-shadow:0 1px 4px #0002}
h1{font-size:1.3rem;margin-top:0}label{display:block;margin:.75rem 0 .25rem;font-weight:600}
input[type=email],input[type=password]{width:100%;box-sizing:border-box;padding:.6rem;border:1px solid #8a93a0;border-radius:.4rem;font:inherit}
button{font:inherit;padding:.6rem 1.2rem;border-radius:.4rem;border:1px solid #1f4fbf;margin:1rem .5rem 0 0;cursor:pointer}
.primary{background:#1f4fbf;color:#fff}.secondary{background:#fff;color:#1f4fbf}
.error{color:#a3161a;background:#fdecec;padding:.5rem .75rem;border-radius:.4rem}ul{padding-left:1.2rem}`;

function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)} · Portico</title><link rel="icon" href="/console/favicon.svg" type="image/svg+xml"><style>${STYLE}</style></head>
<body><main>${body}</main></body>
</html>
`;
}

const hidden = (params: AuthorizeParams) =>
  AUTHORIZE_PARAMS.filter((name) => params[name] !== undefined)
    .map((name) => `<input type="hidden" name="${name}" value="${escape(params[name]!)}">`)
    .join('');

export function signInPage(appName: string, params: AuthorizeParams, error?: string): string {
  return page(
    'Sign in',
    `<h1>Sign in to continue to ${escape(appName)}</h1>
${error ? `<p class="error" role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/oauth/sign-in">${hidden(params)}
<label for="email">Email</label><input id="email" name="email" type="email" autocomplete="username" required>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button class="primary" type="submit">Sign in</button></form>`,
  );
}

export function consentPage(
  appName: string,
  spaceName: string,
  email: string,
  scopes: readonly OAuthScope[],
  params: AuthorizeParams,
  csrf: string,
): string {
  const items = scopes.map((s) => `<li>${escape(OAUTH_SCOPES[s])} <small>(${escape(s)})</small></li>`).join('');
  return page(
    'Allow access',
    `<h1>${escape(appName)} wants to act for you</h1>
<p>Signed in as <strong>${escape(email)}</strong>. In the space <strong>${escape(spaceName)}</strong>, ${escape(appName)} asks to:</p>
<ul>${items}</ul>
<p>It can never do more than your role in the space allows.</p>
<form method="post" action="/oauth/consent">${hidden(params)}<input type="hidden" name="csrf" value="${escape(csrf)}">
<button class="primary" type="submit" name="decision" value="allow">Allow</button>
<button class="secondary" type="submit" name="decision" value="deny">Deny</button></form>`,
  );
}

export function errorPage(message: string): string {
  return page('Cannot continue', `<h1>Cannot continue</h1><p class="error" role="alert">${escape(message)}</p>`);
}
