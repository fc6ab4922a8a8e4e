/**
 * A hostile API client (a channel adapter's key or a valid user token, nothing more) probing the
 * contracts: error answers must not reflect what it sent (markup, query strings carrying personal
 * data) nor describe internals, and a list cursor is the platform's, not a handle it can forge.
 */
import { analyticsService } from '@complaints/analytics';
import { intakeService } from '@complaints/intake';
import { PROBLEM_TYPE_BASE } from '@complaints/kit';
import { api } from '../support/auth';
import { startInProcess, type InProcessService } from '../support/in-process';

const MARKUP = '<script>alert(1)</script>';

describe('a hostile client reading error answers and cursors', () => {
  let intake: InProcessService;
  let analytics: InProcessService;

  beforeAll(async () => {
    intake = await startInProcess(intakeService);
    analytics = await startInProcess(analyticsService);
  }, 120_000);

  afterAll(async () => {
    await intake?.close();
    await analytics?.close();
  });

  it('gets problem+json whose instance carries no query string (no personal data echoed into client logs)', async () => {
    const response = await api(`${intake.base}/complaints/not-a-uuid?email=victim%40example.com&phone=13900000000`);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const text = await response.text();
    expect(JSON.parse(text)).toMatchObject({
      type: `${PROBLEM_TYPE_BASE}invalid-input`,
      instance: '/complaints/not-a-uuid',
    });
    expect(text).not.toMatch(/victim|13900000000/);
  });

  it('cannot make a problem reflect a hostile correlation id', async () => {
    const response = await api(`${intake.base}/complaints`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-correlation-id': MARKUP },
      body: '{}',
    });
    expect(response.status).toBe(400);
    const text = await response.text();
    expect(text).not.toContain('<script>');
    expect((JSON.parse(text) as { detail: string }).detail).toMatch(/X-Correlation-Id/);
  });

  it('gets its own correlation id back in a problem, to quote to operators', async () => {
    const response = await api(`${intake.base}/complaints`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-correlation-id': 'client-4711' },
      body: '{"colour":"red"}',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ correlationId: 'client-4711', instance: '/complaints' });
  });

  it.each([
    ['injection text', "' OR 1=1 --"],
    ['markup', MARKUP],
    ['a raw case id instead of a cursor', '01938f6e-8c1a-7b2e-9f3d-2a4b5c6d7e8f'],
    ['a well-formed cursor around a non-id', Buffer.from(JSON.stringify(['c1', "x' OR '1'='1"])).toString('base64url')],
  ])('cannot forge a list cursor from %s: a 400 naming it, echoing nothing', async (_what, cursor) => {
    const response = await api(`${analytics.base}/audit/cases?cursor=${encodeURIComponent(cursor)}`);
    expect(response.status).toBe(400);
    const text = await response.text();
    expect(JSON.parse(text)).toMatchObject({ type: `${PROBLEM_TYPE_BASE}invalid-input` });
    expect((JSON.parse(text) as { detail: string }).detail).toMatch(/cursor|after/);
    expect(text).not.toContain(cursor);
    expect(text).not.toMatch(/SQLSTATE|syntax error|relation "|\.ts:\d+/);
  });
});
