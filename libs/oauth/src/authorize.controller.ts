import { Controller, Get, Inject, Post, Req, Res } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { ApiExcludeController } from '@nestjs/swagger';
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
@ApiExcludeController()
@Controller('oauth')
export class AuthorizeController {
  constructor(
    private readonly authorize: AuthorizeService,
    private readonly sessions: OAuthSessions,
    private readonly auth: AuthService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('authorize')
  async start(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const params = authorizeParams(request.query);
    if (params === 'repeated') return this.html(reply, 400, errorPage('A parameter of this request is repeated.'));
    const checked = await this.authorize.check(params);
    if (this.refused(checked, request, reply)) return;
    const user = await this.sessions.current(request);
    if (!user) return this.html(reply, 200, signInPage(checked.client.name, params), checked.redirectUri);
    return this.send(reply, await this.authorize.decide(checked, user, params, issuerOf(this.config, request)), params);
  }

  @Post('sign-in')
  @BruteForceLimited({ perBodyField: 'email' })
  async signIn(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const params = authorizeParams(body);
    if (params === 'repeated') return this.html(reply, 400, errorPage('A parameter of this request is repeated.'));
    const checked = await this.authorize.check(params);
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

  @Post('consent')
  async consent(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const params = authorizeParams(body);
    if (params === 'repeated') return this.html(reply, 400, errorPage('A parameter of this request is repeated.'));
    const checked = await this.authorize.check(params);
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
