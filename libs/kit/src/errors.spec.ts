import type { ArgumentsHost } from '@nestjs/common';
import { ErrorFilter, RETRY_AFTER_SECONDS } from './errors';

/** What the filter wrote: status, headers and body, as an Express response would carry them. */
function answer(error: unknown) {
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
  };
  const host = { switchToHttp: () => ({ getResponse: () => response }) } as unknown as ArgumentsHost;
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
      statusCode: 503,
      message: expect.stringMatching(/cannot reach its database/),
    });
  });

  it('still answers 400 for a value the database refuses as data, and 500 for anything unexpected', () => {
    expect(answer(withCode('invalid input syntax for type uuid', '22P02')).status).toBe(400);
    const unexpected = answer(new TypeError('x is undefined'));
    expect(unexpected.status).toBe(500);
    expect(unexpected.headers['retry-after']).toBeUndefined();
  });
});
