import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { EntityManager } from '@mikro-orm/postgresql';
import {
  HealthCheck,
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorFunction,
  HealthIndicatorService,
} from '@nestjs/terminus';
import { Public, ProblemException } from '@app/common';
import { RedisConnection } from '@app/database';

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly em: EntityManager,
    private readonly indicators: HealthIndicatorService,
    private readonly redis: RedisConnection,
  ) {}

  @Get('live')
  @ApiOperation({ operationId: 'healthLive', summary: 'Liveness: the process is up' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({ operationId: 'healthReady', summary: 'Readiness: the database (and Redis when configured) answer' })
  async ready(): Promise<HealthCheckResult> {
    // A real round trip (terminus' MikroORM indicator only asks whether a pool exists).
    const checks: HealthIndicatorFunction[] = [
      () =>
        this.indicators
          .check('database')
          .attempt(() => this.em.getConnection().execute('select 1'))
          .withTimeout(1500),
    ];
    if (this.redis.client) {
      checks.push(() =>
        this.indicators
          .check('redis')
          .attempt(() => this.redis.ping())
          .withTimeout(1000),
      );
    }
    try {
      return await this.health.check(checks);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      const body = error.getResponse() as { details?: unknown };
      throw new ProblemException(503, {
        type: 'dependency-unavailable',
        detail: 'A dependency is not ready.',
        extensions: { checks: body.details },
      });
    }
  }
}
