/**
 * Attacker: someone who can write to a service's database (its owner or a superuser): they alter
 * events and recompute the chain, remove, renumber or re-sign checkpoints, and edit what analytics
 * serves to auditors. Each attack must be caught by the HTTP verify and by `npm run audit` (or be
 * refused outright), using only what the database cannot rewrite: the configured key ring and the
 * checkpoint witness kept outside the database.
 */
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { eventHash, writeCheckpoint } from '@complaints/eventstore';
import { AuditCheckpointer } from '@complaints/kit';
import { intakeService } from '@complaints/intake';
import { analyticsService } from '@complaints/analytics';
import { api } from '../support/auth';
import { eventually, requireEnv, uniqueSuffix } from '../support/database';
import { startInProcess, type InProcessService } from '../support/in-process';
import { complaintBody } from '../support/journey';

// What `npm run audit` runs.
const auditCli = join(__dirname, '../../libs/kit/dist/audit-cli.js');
const TENANT = 'bank-a';

interface Verdict {
  verified: boolean;
  findings: { kind: string; streamId?: string; eventId?: string; checkpoint?: number; detail: string }[];
}

describe('a database writer against the audit trail', () => {
  let dir: string;
  let intake: InProcessService;
  let owner: Client;
  let env: Record<string, string>;
  let caseId: string;
  let filedBody: ReturnType<typeof complaintBody>;

  const signingKey = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();

  async function verifyOver(service: InProcessService): Promise<Verdict & { status: number }> {
    const response = await api(`${service.base}/audit/cases/${caseId}/verify`, { headers: { 'x-tenant-id': TENANT } });
    return { status: response.status, ...((await response.json()) as Verdict) };
  }

  /** `npm run audit -- verify` as the operator runs it: the key ring and the witness from configuration. */
  async function auditCliOver(service: InProcessService, schema: string): Promise<{ code: number; stdout: string }> {
    const run = await promisify(execFile)(process.execPath, [auditCli, 'verify', '--schema', schema], {
      env: { ...process.env, ...env, DATABASE_URL: service.testDb.url },
    }).catch((error: { code: number; stdout: string }) => error);
    return { code: 'code' in run ? run.code : 0, stdout: run.stdout };
  }

  async function checkpoint(): Promise<void> {
    // Nothing appended may be left above the snapshot's xmin, or the checkpoint would not cover it.
    await eventually('appended events below every snapshot', async () => {
      const { rows } = await owner.query<{ pending: string }>(
        'SELECT count(*) AS pending FROM events WHERE transaction_id >= pg_snapshot_xmin(pg_current_snapshot())',
      );
      return Number(rows[0]!.pending) === 0 ? true : undefined;
    });
    await intake.app.get(AuditCheckpointer).checkpoint();
  }

  /** The attacker's edit of one event, then the stream's chain recomputed so that it is consistent again. */
  async function alterAndRechain(streamId: string): Promise<void> {
    await owner.query('BEGIN');
    // The owner lifts any trigger standing in the way (superuser: triggers off for this session).
    await owner.query('SET LOCAL session_replication_role = replica');
    await owner.query(
      `UPDATE events SET data = jsonb_set(data, '{channel}', '"web"') WHERE stream_id = $1 AND stream_version = 1`,
      [streamId],
    );
    const { rows } = await owner.query<{
      event_id: string;
      stream_version: number;
      type: string;
      schema_version: number;
      data: unknown;
      metadata: unknown;
    }>('SELECT * FROM events WHERE stream_id = $1 ORDER BY stream_version', [streamId]);
    let previous: string | null = null;
    for (const row of rows) {
      const hash = eventHash(previous, {
        eventId: row.event_id,
        streamId,
        streamVersion: row.stream_version,
        type: row.type,
        schemaVersion: row.schema_version,
        data: row.data,
        metadata: row.metadata,
      });
      await owner.query('UPDATE events SET hash = $1, prev_hash = $2 WHERE event_id = $3', [
        hash,
        previous,
        row.event_id,
      ]);
      previous = hash;
    }
    await owner.query('COMMIT');
  }

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'audit-witness-'));
    env = {
      KAFKA_BROKERS: requireEnv('KAFKA_BROKERS'),
      TOPIC_PREFIX: `insider-${uniqueSuffix()}`,
      AUDIT_SIGNING_KEY: signingKey,
      AUDIT_WITNESS_DIR: join(dir, 'witness'),
      AUDIT_CHECKPOINT_INTERVAL_MS: '0',
    };
    intake = await startInProcess(intakeService, undefined, env);
    owner = new Client({ connectionString: intake.testDb.url });
    await owner.connect();
    await owner.query('SET search_path TO intake');
    filedBody = complaintBody();
    const filed = await api(`${intake.base}/complaints`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-tenant-id': TENANT },
      body: JSON.stringify(filedBody),
    });
    expect(filed.status).toBe(201);
    caseId = ((await filed.json()) as { complaintId: string }).complaintId;
    await checkpoint();
    expect(await verifyOver(intake)).toMatchObject({ status: 200, verified: true, findings: [] });
    expect(await auditCliOver(intake, 'intake')).toMatchObject({ code: 0 });
  });
  afterEach(async () => {
    await owner?.end();
    await intake?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('catches an event altered and its chain recomputed', async () => {
    await alterAndRechain(`complaint-${caseId}`);
    const verdict = await verifyOver(intake);
    expect(verdict.verified).toBe(false);
    expect(verdict.findings).toContainEqual(expect.objectContaining({ streamId: `complaint-${caseId}` }));
    const cli = await auditCliOver(intake, 'intake');
    expect(cli).toMatchObject({ code: 1 });
    // Everything the CLI finds, the HTTP verify reports (the log-wide digest finding included).
    const lines = cli.stdout.split('\n').filter((line) => /^[A-Z]+: /.test(line));
    expect(verdict.findings.map((f) => `${f.kind.toUpperCase()}: ${f.detail}`).sort()).toEqual(lines.sort());
  });

  it('catches the checkpoints deleted', async () => {
    await owner.query('DELETE FROM audit_checkpoints');
    const verdict = await verifyOver(intake);
    expect(verdict.verified).toBe(false);
    // Both copies outside the database saw checkpoint 1: the witness file and the Kafka topic.
    for (const copy of [/witness file/, /topic insider-.*audit\.checkpoints\.v1/]) {
      expect(verdict.findings).toContainEqual(
        expect.objectContaining({ kind: 'checkpoint', checkpoint: 1, detail: expect.stringMatching(copy) }),
      );
    }
    const cli = await auditCliOver(intake, 'intake');
    expect(cli.code).toBe(1);
    expect(cli.stdout).toMatch(/CHECKPOINT: checkpoint 1 .* is in the witness file .* but not in the database/);
    expect(cli.stdout).toMatch(/CHECKPOINT: checkpoint 1 .* is in the topic insider-.* but not in the database/);
  });

  it('catches a checkpoint signed with a fresh key over a rewritten log', async () => {
    await alterAndRechain(`complaint-${caseId}`);
    await owner.query('DELETE FROM audit_checkpoints');
    await writeCheckpoint(intake.db, generateKeyPairSync('ed25519'));
    const verdict = await verifyOver(intake);
    expect(verdict.verified).toBe(false);
    expect(verdict.findings).toContainEqual(expect.objectContaining({ kind: 'checkpoint' }));
    expect(await auditCliOver(intake, 'intake')).toMatchObject({
      code: 1,
      stdout: expect.stringContaining('CHECKPOINT'),
    });
  });

  it('catches a checkpoint renumbered', async () => {
    await checkpoint();
    await owner.query('UPDATE audit_checkpoints SET id = id + 10 WHERE id = (SELECT max(id) FROM audit_checkpoints)');
    const verdict = await verifyOver(intake);
    expect(verdict.verified).toBe(false);
    expect(verdict.findings).toContainEqual(expect.objectContaining({ kind: 'checkpoint', checkpoint: 2 }));
    expect(await auditCliOver(intake, 'intake')).toMatchObject({
      code: 1,
      stdout: expect.stringContaining('CHECKPOINT'),
    });
  });

  it('catches a checkpoint rewritten to fit an altered log', async () => {
    await alterAndRechain(`complaint-${caseId}`);
    // The attacker cannot sign: they fit the signed fields to the new log and keep the old signature.
    const { rows } = await owner.query<{ hash: string }>(
      'SELECT hash FROM events WHERE stream_id = $1 ORDER BY stream_version DESC LIMIT 1',
      [`complaint-${caseId}`],
    );
    await owner.query(
      `UPDATE audit_checkpoints SET heads = jsonb_set(heads, ARRAY[$1, 'hash'], to_jsonb($2::text)) WHERE id = 1`,
      [`complaint-${caseId}`, rows[0]!.hash],
    );
    const verdict = await verifyOver(intake);
    expect(verdict.verified).toBe(false);
    expect(verdict.findings).toContainEqual(
      expect.objectContaining({
        kind: 'checkpoint',
        checkpoint: 1,
        detail: expect.stringMatching(/invalid signature/),
      }),
    );
    expect(await auditCliOver(intake, 'intake')).toMatchObject({
      code: 1,
      stdout: expect.stringContaining('CHECKPOINT'),
    });
  });

  it('refuses UPDATE and DELETE of events to the role requests run as, even when granted again', async () => {
    const asRequestRole = async (sql: string) => {
      await owner.query('BEGIN');
      try {
        await owner.query(`SELECT set_config('role', 'complaints_tenant', true), set_config('app.tenant', $1, true)`, [
          TENANT,
        ]);
        await owner.query(sql, [`complaint-${caseId}`]);
        await owner.query('COMMIT');
        return 'done';
      } catch (error) {
        await owner.query('ROLLBACK');
        return (error as Error).message;
      }
    };
    const update = `UPDATE events SET data = jsonb_set(data, '{channel}', '"web"') WHERE stream_id = $1`;
    expect(await asRequestRole(update)).toMatch(/permission denied/);
    expect(await asRequestRole('DELETE FROM events WHERE stream_id = $1')).toMatch(/permission denied/);
    // A later blanket grant (or a mistaken one) still meets the trigger.
    await owner.query('GRANT UPDATE, DELETE ON events TO complaints_tenant');
    expect(await asRequestRole(update)).toMatch(/append-only/);
    expect(await asRequestRole('DELETE FROM events WHERE stream_id = $1')).toMatch(/append-only/);
    expect(await verifyOver(intake)).toMatchObject({ verified: true });
  });

  describe('with analytics serving the history', () => {
    let analytics: InProcessService;
    beforeEach(async () => {
      analytics = await startInProcess(analyticsService, undefined, {
        ...env,
        AUDIT_WITNESS_DIR: join(dir, 'analytics-witness'),
        AUDIT_SOURCE_URLS: `intake=${intake.base}`,
      });
      await eventually('the case in analytics', async () => {
        const response = await api(`${analytics.base}/audit/cases/${caseId}/history`, {
          headers: { 'x-tenant-id': TENANT },
        });
        return response.status === 200 ? true : undefined;
      });
    });
    afterEach(() => analytics?.close());

    it('names the history entry edited in analytics’ table', async () => {
      expect(await verifyOver(analytics)).toMatchObject({ status: 200, verified: true, findings: [] });
      const { rows } = await analytics.db.query<{ event_id: string }>(
        `UPDATE case_history SET data = jsonb_set(data, '{channel}', '"web"')
          WHERE complaint_id = $1 AND type = 'complaint.received.v1' RETURNING event_id`,
        [caseId],
      );
      expect(rows).toHaveLength(1);
      const verdict = await verifyOver(analytics);
      expect(verdict).toMatchObject({ status: 200, verified: false });
      expect(verdict.findings).toContainEqual(expect.objectContaining({ kind: 'altered', eventId: rows[0]!.event_id }));
    });

    it('names a history entry deleted from before later ones of its stream', async () => {
      // The same complaint again: intake links it as a possible duplicate, a second event of its stream.
      const again = await api(`${intake.base}/complaints`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-tenant-id': TENANT },
        body: JSON.stringify(filedBody),
      });
      caseId = ((await again.json()) as { complaintId: string }).complaintId;
      await eventually('both events of the second case in analytics', async () => {
        const response = await api(`${analytics.base}/audit/cases/${caseId}/history`, {
          headers: { 'x-tenant-id': TENANT },
        });
        return response.status === 200 && ((await response.json()) as { events: unknown[] }).events.length === 2
          ? true
          : undefined;
      });
      expect(await verifyOver(analytics)).toMatchObject({ status: 200, verified: true, findings: [] });
      const { rows } = await analytics.db.query<{ event_id: string }>(
        `DELETE FROM case_history WHERE complaint_id = $1 AND type = 'complaint.received.v1' RETURNING event_id`,
        [caseId],
      );
      const verdict = await verifyOver(analytics);
      expect(verdict).toMatchObject({ status: 200, verified: false });
      expect(verdict.findings).toContainEqual(
        expect.objectContaining({ kind: 'removed', eventId: rows[0]!.event_id, streamVersion: 1 }),
      );
    });
  });
});
