import { NotFoundException } from '@nestjs/common';
import {
  DeadlockException,
  DriverException,
  NotNullConstraintViolationException,
  UniqueConstraintViolationException,
} from '@mikro-orm/core';
import { badRequest } from './problem.exception';
import { toProblem } from './to-problem';

const driverError = (props: Record<string, unknown>, Kind: new (e: Error) => DriverException = DriverException) =>
  new Kind(Object.assign(new Error('driver said no'), props));

describe('toProblem', () => {
  it('keeps a ProblemException as it is, with its fields and headers', () => {
    const { problem } = toProblem(badRequest('Bad thing.', [{ field: 'a', message: 'is bad' }]), 'rid');
    expect(problem).toEqual({
      type: 'urn:portico:problem:bad-request',
      title: 'Bad Request',
      status: 400,
      detail: 'Bad thing.',
      request_id: 'rid',
      errors: [{ field: 'a', message: 'is bad' }],
    });
  });

  it.each([
    ['FST_ERR_CTP_INVALID_JSON_BODY', 400],
    ['FST_ERR_CTP_BODY_TOO_LARGE', 413],
    ['FST_ERR_MAX_PARAM_LENGTH', 414],
    ['FST_ERR_BAD_URL', 400],
  ])("maps Fastify's %s to %i without its code", (code, status) => {
    const { problem } = toProblem(Object.assign(new Error(`/x echoed ${code}`), { code }), 'rid');
    expect(problem.status).toBe(status);
    expect(JSON.stringify(problem)).not.toMatch(/FST_|echoed/);
  });

  it('maps data exceptions and NOT NULL to 400, unique violations to 409', () => {
    expect(toProblem(driverError({ code: '22P05' }), 'r').problem).toMatchObject({
      status: 400,
      type: 'urn:portico:problem:invalid-value',
    });
    expect(toProblem(driverError({ code: '22021' }), 'r').problem.status).toBe(400);
    expect(toProblem(driverError({ code: '23502' }, NotNullConstraintViolationException), 'r').problem.status).toBe(
      400,
    );
    expect(toProblem(driverError({ code: '23505' }, UniqueConstraintViolationException), 'r').problem.status).toBe(409);
  });

  it('maps contention to 503 busy with Retry-After: 1', () => {
    for (const code of ['40001', '40P01', '55P03', '57014']) {
      const { problem, headers } = toProblem(
        driverError({ code }, code === '40P01' ? DeadlockException : DriverException),
        'r',
      );
      expect({ code, status: problem.status, type: problem.type, headers }).toEqual({
        code,
        status: 503,
        type: 'urn:portico:problem:busy',
        headers: { 'Retry-After': '1' },
      });
    }
  });

  it('maps a lost or unreachable database to 503 with Retry-After, whether MikroORM wrapped the error or not', () => {
    const cases: unknown[] = [
      driverError({ code: '57P01' }),
      driverError({ code: '08006' }),
      driverError({}),
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
      // pg-protocol's DatabaseError as pg raises it: `name` is the message type, with a severity.
      Object.assign(new Error('the database system is shutting down'), {
        name: 'error',
        severity: 'FATAL',
        code: '57P03',
      }),
      Object.assign(new Error('terminating connection due to administrator command'), {
        name: 'error',
        severity: 'FATAL',
        code: '57P01',
      }),
    ];
    for (const error of cases) {
      const { problem, headers } = toProblem(error, 'r');
      expect({ message: (error as Error).message, status: problem.status, retry: headers?.['Retry-After'] }).toEqual({
        message: (error as Error).message,
        status: 503,
        retry: '5',
      });
      expect(problem.type).toBe('urn:portico:problem:database-unavailable');
    }
  });

  it('keeps anything else a 500 that says nothing internal', () => {
    const { problem } = toProblem(new Error('secret internals at /srv/app.ts:12'), 'r');
    expect(problem).toEqual({
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      detail: 'An unexpected error occurred.',
      request_id: 'r',
    });
    expect(toProblem(driverError({ code: '42P01' }), 'r').problem.status).toBe(500);
    expect(toProblem(new NotFoundException(), 'r').problem.status).toBe(404);
  });
});
