import { Controller, Get, Inject, Post, Req, Res } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { ApiBody, ApiConsumes, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AuthorizeQuery, ConsentFormDto, HTML, SignInFormDto } from './authorize-docs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { BruteForceLimited, ProblemException, Public } from '@app/common';
import { AuthService } from '@app/auth';
import { AuthorizeParams, authorizeParams, AuthorizeRequest, PageError, RedirectError } from './authorize-request';
import { AuthorizeOutcome, AuthorizeService } from './authorize.service';
import { consentPage, errorPage, signInPage } from './oauth-pages';
import { issuerOf } from './issuer';
import { OAuthSessions } from './oauth-session';

type Checked = AuthorizeRequest | PageError | RedirectError;

/**
 * GET /oauth/authorize and its two forms: the pages a user meets when an app sends
 * them to Portico. HTML answers, never cached, never framed.
 */
@Public()
@ApiTags('auth')
@ApiProduces('text/html')
@Controller('oauth')
export class AuthorizeController {
  constructor(
    private readonly authorize: AuthorizeService,
    private readonly sessions: OAuthSessions,
    private readonly auth: AuthService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('authorize')
  @ApiOperation({
    operationId: 'oauthAuthorize',
    summary: 'Authorization endpoint: the sign-in and consent pages an app sends its user to (HTML)',
  })
  @AuthorizeQuery()
  @ApiResponse({ status: 200, description: 'The sign-in or consent page.', content: HTML })
  @ApiResponse({ status: 302, description: 'Back to the app: `code`, `state`, `iss`, or an `error`.' })
  @ApiResponse({
    status: 400,
    description: 'An unknown client or unregistered redirect URI: an error page.',
    content: HTML,
  })
  async start(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const params = authorizeParams(request.query);
    if (params === 'repeated') return this.html(reply, 400, errorPage('A parameter of this request is repeated.'));
    const checked = await this.authorize.check(params, issuerOf(this.config, request));
    if (this.refused(checked, request, reply)) return;
    const user = await this.sessions.current(request);
    if (!user) return this.html(reply, 200, signInPage(checked.client.name, params), checked.redirectUri);
    return this.send(reply, await this.authorize.decide(checked, user, params, issuerOf(this.config, request)), params);
  }

  @Post('sign-in')
  @BruteForceLimited({ perBodyField: 'email' })
  @ApiOperation({ operationId: 'oauthSignIn', summary: 'The sign-in form of the authorization pages (HTML)' })
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiBody({ type: SignInFormDto })
  @ApiResponse({ status: 303, description: 'Signed in: back to /oauth/authorize with the same request.' })
  @ApiResponse({ status: 400, description: 'A malformed form: an error page.', content: HTML })
  @ApiResponse({ status: 401, description: 'Wrong email or password: the form again, with the error.', content: HTML })
  async signIn(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const params = authorizeParams(body);
    if (params === 'repeated') return this.html(reply, 400, errorPage('A parameter of this request is repeated.'));
    const checked = await this.authorize.check(params, issuerOf(this.config, request));
    if (this.refused(checked, request, reply)) return;
    const { email, password } = body;
    if (typeof email !== 'string' || typeof password !== 'string')
      return this.html(reply, 400, signInPage(checked.client.name, params, 'Enter your email and password.'));
    try {
      const user = await this.auth.verifyCredentials(email.trim().toLowerCase(), password);
      await this.sessions.start(request, reply, user.id);
    } catch (error) {
      if (!(error instanceof ProblemException) || error.getStatus() !== 401) throw error;
      return this.html(reply, 401, signInPage(checked.client.name, params, 'The email or password is incorrect.'));
    }
    // Back to the authorize step, now signed in (303: the next request is a GET).
    void reply
      .status(303)
      .header('location', `/oauth/authorize?${query(params)}`)
      .send();
  }

  @Post('sign-out')
  @ApiOperation({
    operationId: 'oauthSignOut',
    summary: "End this browser's sign-in session of the authorization pages (the console's sign-out)",
    description:
      'Deletes the session the `portico_oauth` cookie names and clears the cookie, so the next ' +
      '/oauth/authorize asks for the password again. The cookie is SameSite=Lax: other sites cannot post here with it.',
  })
  @ApiResponse({ status: 204, description: 'Signed out (also when there was no session).' })
  async signOut(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.sessions.end(request, reply);
    return reply.header('cache-control', 'no-store').code(204).send();
  }

  @Post('consent')
  @ApiOperation({ operationId: 'oauthConsent', summary: 'The consent form of the authorization pages (HTML)' })
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiBody({ type: ConsentFormDto })
  @ApiResponse({ status: 200, description: 'Not signed in: the sign-in page.', content: HTML })
  @ApiResponse({ status: 302, description: 'Back to the app: `code` (allowed) or `error=access_denied`.' })
  @ApiResponse({ status: 400, description: 'A malformed form: an error page.', content: HTML })
  @ApiResponse({ status: 403, description: 'A forged or stale form (CSRF): an error page.', content: HTML })
  async consent(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const params = authorizeParams(body);
    if (params === 'repeated') return this.html(reply, 400, errorPage('A parameter of this request is repeated.'));
    const checked = await this.authorize.check(params, issuerOf(this.config, request));
    if (this.refused(checked, request, reply)) return;
    const user = await this.sessions.current(request);
    if (!user) return this.html(reply, 200, signInPage(checked.client.name, params), checked.redirectUri);
    const csrf = typeof body.csrf === 'string' ? body.csrf : undefined;
    const outcome = await this.authorize.answer(
      checked,
      user,
      params,
      csrf,
      body.decision === 'allow',
      issuerOf(this.config, request),
    );
    return this.send(reply, outcome, params);
  }

  /** Sends the page or redirect for an unusable request; true when it did. */
  private refused(
    checked: Checked,
    request: FastifyRequest,
    reply: FastifyReply,
  ): checked is PageError | RedirectError {
    if ('kind' in checked && checked.kind === 'page') {
      this.html(reply, 400, errorPage(checked.message));
      return true;
    }
    if ('kind' in checked && checked.kind === 'redirect') {
      void reply
        .status(302)
        .header('location', this.authorize.errorRedirect(checked, issuerOf(this.config, request)))
        .send();
      return true;
    }
    return false;
  }

  private send(reply: FastifyReply, outcome: AuthorizeOutcome, params: AuthorizeParams): void {
    if ('redirect' in outcome) return void reply.status(302).header('location', outcome.redirect).send();
    if (outcome.page === 'error') return this.html(reply, outcome.status, errorPage(outcome.message));
    const { request } = outcome;
    this.html(
      reply,
      200,
      consentPage(request.client.name, outcome.spaceName, outcome.email, request.scopes, params, outcome.csrf),
      request.redirectUri,
    );
  }

  /**
   * An HTML answer: no store, no framing (clickjacking), no script, forms that may post
   * here and be redirected on to the app's registered redirect URI.
   */
  private html(reply: FastifyReply, status: number, body: string, redirectUri?: string): void {
    const formAction = ["'self'", redirectUri ? new URL(redirectUri).origin : ''].filter(Boolean).join(' ');
    void reply
      .status(status)
      .header('cache-control', 'no-store')
      .header('x-frame-options', 'DENY')
      .header(
        'content-security-policy',
        `default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`,
      )
      .type('text/html; charset=utf-8')
      .send(body);
  }
}

const query = (params: AuthorizeParams) =>
  new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined)).toString();
