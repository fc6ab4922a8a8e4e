/**
 * `npm start`, exactly as a newcomer runs it: one process, embedded PostgreSQL, embedded transport.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { RunningProcess } from '../support/processes';
import { command, fileComplaint, historyWith } from '../support/journey';
import { api } from '../support/auth';
import { repoRoot } from '../support/infrastructure';
import { embeddedHost } from '../support/embedded-host';

describe('the embedded platform started by npm start', () => {
  const host = embeddedHost('embedded');
  const { dataDir, ports, urls } = host;
  let platform: RunningProcess | undefined;
  const startPlatform = async () => (platform = await host.start('npm-start', 'npm-start'));

  afterAll(async () => {
    await platform?.stop();
    host.remove();
  }, 60_000);

  it('prints the URLs of the APIs and their docs, and serves the OpenAPI document', async () => {
    const started = await startPlatform();
    for (const port of [ports.intake, ports.routing, ports.resolution, ports.analytics]) {
      expect(started.output()).toContain(`http://127.0.0.1:${port}/docs`);
    }
    const docs = await fetch(`${urls.intake}/docs-json`);
    expect(docs.status).toBe(200);
    expect(((await docs.json()) as { paths: Record<string, unknown> }).paths).toHaveProperty('/complaints');
    expect(started.output()).toContain('npm run -s token -- --role agent');
  }, 240_000);

  it('refuses calls without a token, and takes the one `npm run token` prints', async () => {
    expect((await fetch(`${urls.analytics}/kpis/volumes`)).status).toBe(401);
    // Checked against this platform's intake; away from the repository's .local/keys.env (the default ENV_FILE).
    const token = execFileSync(process.execPath, [join(repoRoot, 'apps/embedded/dist/token.js'), '--role', 'auditor'], {
      env: { ...process.env, DATA_DIR: dataDir, INTAKE_URL: urls.intake },
      cwd: dataDir,
      encoding: 'utf8',
    }).trim();
    const volumes = await fetch(`${urls.analytics}/kpis/volumes`, { headers: { authorization: `Bearer ${token}` } });
    expect(volumes.status).toBe(200);
    expect((await fetch(`${urls.intake}/health/ready`)).status).toBe(200);
  });

  it('takes a complaint from intake to an opened case, and keeps it across a restart', async () => {
    const { complaintId, reference } = await fileComplaint(urls);
    const events = await historyWith(urls, complaintId, 3);
    expect(events.map((e) => e.type)).toEqual(['complaint.received.v1', 'complaint.routed.v1', 'case.opened.v1']);
    expect((await command(urls, complaintId, 'acknowledge', { channel: 'phone', summary: 'Called' })).status).toBe(200);
    await historyWith(urls, complaintId, 4);

    // SIGTERM drains like a service: readiness fails at once, then everything stops within the limit.
    const signalled = Date.now();
    let stopped = false;
    const stopping = platform!.stop('SIGTERM').finally(() => (stopped = true));
    // Readiness is polled until the process is gone: it must have answered 503 while draining.
    const seen = new Set<number | string>();
    while (!stopped) {
      seen.add(
        await fetch(`${urls.intake}/health/ready`, { signal: AbortSignal.timeout(1000) }).then(
          (r) => r.status,
          () => 'no answer',
        ),
      );
      await new Promise((r) => setTimeout(r, 50));
    }
    await stopping;
    expect(seen).toContain(503);
    expect(Date.now() - signalled).toBeLessThan(12_000);
    await startPlatform();
    const complaint = await (await api(`${urls.intake}/complaints/${complaintId}`)).json();
    expect(complaint).toMatchObject({ reference });
    const after = await historyWith(urls, complaintId, 4);
    expect(after.map((e) => e.type)).toContain('case.acknowledged.v1');
    // The next complaint still gets through after the restart.
    const next = await fileComplaint(urls, 'My credit card annual fee was charged twice');
    expect((await historyWith(urls, next.complaintId, 3)).map((e) => e.type)[2]).toBe('case.opened.v1');
  }, 300_000);
});
