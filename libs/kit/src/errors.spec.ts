import { ForbiddenException, type ArgumentsHost } from '@nestjs/common';
import { IsInt, IsString, Max } from 'class-validator';
import { InvalidStateError, NotFoundError, RuleRejectedError } from '@complaints/decider';
import { StreamVersionConflict } from '@complaints/eventstore';
import {
  ErrorFilter,
  PROBLEM_TYPE_BASE,
  PROBLEM_TYPES,
  RETRY_AFTER_SECONDS,
  answerClientErrorsAsProblems,
  strictValidationPipe,
} from './errors';

const REQUEST = { id: 'corr-42', originalUrl: '/cases/c-1/accept?tenant=bank-a', headers: {} };

/** What the filter wrote: status, headers and body, as an Express response would carry them. */
function answer(error: unknown, request: unknown = REQUEST) {
  const written = { status: 0, headers: {} as Record<string, string>, body: undefined as unknown };
  const response = {
    status(code: number) {
      written.status = code;
      return response;
    },
    setHeader(name: string, value: string) {
      written.headers[name.toLowerCase()] = value;
    },
    json(body: unknown) {
      written.body = body;
    },
    send(text: string) {
      written.body = JSON.parse(text);
    },
  };
  const host = {
    switchToHttp: () => ({ getResponse: () => response, getRequest: () => request }),
  } as unknown as ArgumentsHost;
  new ErrorFilter().catch(error, host);
  return written;
}

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('the error filter when the database cannot be reached', () => {
  it.each([
    ['a refused connection', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['a server shutting down', withCode('terminating connection due to administrator command', '57P01')],
    ['a dropped connection', new Error('Connection terminated unexpectedly')],
    [
      'a failed query wrapping a driver error',
      Object.assign(new Error('Query failed'), {
        driverError: withCode('the database system is starting up', '57P03'),
      }),
    ],
  ])('answers 503 with Retry-After for %s', (_what, error) => {
    const written = answer(error);
    expect(written.status).toBe(503);
    expect(written.headers['retry-after']).toBe(String(RETRY_AFTER_SECONDS));
    expect(written.body).toMatchObject({
      status: 503,
      detail: expect.stringMatching(/cannot reach its database/),
    });
  });

  it('still answers 400 for a value the database refuses as data, and 500 for anything unexpected', () => {
    expect(answer(withCode('invalid input syntax for type uuid', '22P02')).status).toBe(400);
    const unexpected = answer(new TypeError('x is undefined'));
    expect(unexpected.status).toBe(500);
    expect(unexpected.headers['retry-after']).toBeUndefined();
  });
});

class Limits {
  @IsString() name!: string;
  @IsInt() @Max(10) count!: number;
}

async function refusedByValidation(value: unknown): Promise<unknown> {
  try {
    await strictValidationPipe().transform(value, { type: 'body', metatype: Limits });
  } catch (error) {
    return error;
  }
  throw new Error('the pipe accepted the value');
}

describe('the error filter answers RFC 9457 problem details', () => {
  it('as application/problem+json with type, title, status, detail, instance and the correlation id', () => {
    const written = answer(new InvalidStateError('accept', 'closed'));
    expect(written.status).toBe(409);
    expect(written.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(written.body).toEqual({
      type: `${PROBLEM_TYPE_BASE}invalid-state`,
      title: PROBLEM_TYPES['invalid-state'].title,
      status: 409,
      detail: 'Cannot accept: the case is closed',
      instance: '/cases/c-1/accept',
      correlationId: 'corr-42',
      command: 'accept',
      state: 'closed',
    });
  });

  it('names each invalid field and the reason in errors[]', async () => {
    const written = answer(await refusedByValidation({ name: 7, count: 11, colour: 'red' }));
    expect(written.status).toBe(400);
    expect(written.headers['content-type']).toMatch(/^application\/problem\+json/);
    const body = written.body as { type: string; errors: { field: string; reason: string }[] };
    expect(body.type).toBe(`${PROBLEM_TYPE_BASE}invalid-input`);
    expect(body.errors.map((e) => e.field).sort()).toEqual(['colour', 'count', 'name']);
    expect(body.errors.find((e) => e.field === 'count')?.reason).toMatch(/must not be greater than 10/);
    expect(body).not.toHaveProperty('violations');
    expect(body).not.toHaveProperty('statusCode');
  });

  it('gives every status the platform answers a documented type, and never a stack', () => {
    const cases: [unknown, number, string][] = [
      [new ForbiddenException('not yours'), 403, 'forbidden'],
      [new NotFoundError('Case', 'c-1'), 404, 'not-found'],
      [new RuleRejectedError('too late'), 422, 'rejected'],
      [new StreamVersionConflict('case-c-1', 3, 4), 409, 'concurrent-update'],
      [Object.assign(new Error('too large'), { status: 413, limit: 1024 * 1024 }), 413, 'payload-too-large'],
      [Object.assign(new Error('Content-Type x'), { status: 415 }), 415, 'unsupported-media-type'],
      [new TypeError('x is undefined'), 500, 'internal'],
    ];
    for (const [error, status, type] of cases) {
      const body = answer(error).body as { type: string; status: number; detail: string };
      expect({ status: body.status, type: body.type }).toEqual({ status, type: `${PROBLEM_TYPE_BASE}${type}` });
      expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+|x is undefined/);
    }
  });
});

describe("Node's HTTP parser refusals", () => {
  it('are answered as problem+json too (an over-long URL is a 431 that names the limit)', async () => {
    const { createServer } = await import('node:http');
    const server = createServer((_req, res) => res.end('ok'));
    answerClientErrorsAsProblems(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as { port: number };
      const response = await fetch(`http://127.0.0.1:${port}/cases/${'z'.repeat(20_000)}`);
      expect(response.status).toBe(431);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await response.json()).toMatchObject({
        type: `${PROBLEM_TYPE_BASE}headers-too-large`,
        status: 431,
        detail: expect.stringMatching(/16 KB/),
      });
    } finally {
      server.close();
    }
  });
});
