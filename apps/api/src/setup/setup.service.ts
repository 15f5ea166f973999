import { randomBytes, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { conflict, ProblemException, UserPrincipal } from '@app/common';
import { AuthService } from '@app/auth';
import { SpacesService } from '@app/spaces';
import { ApiKeysService } from '@app/api-keys';
import { SetupDto, SetupResultDto } from './setup.dto';

/**
 * First run (API.md, "Console"): while the database has no user, each instance makes a
 * one-time setup token at start and logs its URL once. The URL creates the first user (a
 * platform admin), a first space and an admin key. The token dies when used, and with the
 * process; it is the only credential that can create the first user.
 */
@Injectable()
export class SetupService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Setup');
  private token?: Buffer;
  /** Once a user exists there is never a first run again: no query after that. */
  private done = false;

  constructor(
    private readonly auth: AuthService,
    private readonly spaces: SpacesService,
    private readonly keys: ApiKeysService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!(await this.required())) return;
    const token = randomBytes(24).toString('base64url');
    this.token = Buffer.from(token);
    const host = ['0.0.0.0', '::'].includes(this.config.http.host) ? 'localhost' : this.config.http.host;
    this.logger.log(
      `First run: open http://${host}:${this.config.http.port}/console/setup?token=${token} to create the first user`,
    );
  }

  async required(): Promise<boolean> {
    this.done ||= await this.auth.hasUsers();
    return !this.done;
  }

  async run(dto: SetupDto): Promise<SetupResultDto> {
    if (!this.token) throw conflict('Portico is already set up: sign in instead.');
    const presented = Buffer.from(dto.token);
    if (presented.length !== this.token.length || !timingSafeEqual(presented, this.token))
      throw new ProblemException(403, {
        type: 'invalid-setup-token',
        detail: 'This setup link is not valid: use the one the server printed in its log at start.',
      });
    const session = await this.auth.signupFirstUser(dto);
    this.token = undefined;
    this.done = true;
    const user: UserPrincipal = {
      kind: 'user',
      id: session.user.id,
      email: session.user.email,
      name: session.user.name,
      isPlatformAdmin: true,
    };
    const space = await this.spaces.create(user, { name: dto.space_name });
    const apiKey = await this.keys.create(user, space.id, {
      label: 'admin',
      description: 'Made by the first-run setup',
      is_admin: true,
    });
    return { ...session, space, api_key: apiKey };
  }
}
