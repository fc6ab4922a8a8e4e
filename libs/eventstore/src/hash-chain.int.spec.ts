import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase, eventually, type TestDatabase } from '../../../test/support/database';
import { metadata } from '../../../test/fixtures/events';
import {
  auditSigner,
  eventHash,
  trustedKeyOf,
  EventStore,
  eventStoreMigrations,
  openDatabase,
  verifyLog,
  writeCheckpoint,
  type Database,
} from './index';

describe('tamper evidence of the event store', () => {
  let testDb: TestDatabase;
  let db: Database;
  const store = new EventStore();
  const signer = auditSigner();
  const trusted = { trusted: [trustedKeyOf(signer)] };
  const streams = ['case-a', 'case-b', 'case-c'].map((s) => `${s}-${randomUUID()}`);
  const row = async (stream: string, version: number) =>
    (
      await db.query<{ event_id: string; global_position: string; hash: string }>(
        'SELECT event_id, global_position, hash FROM events WHERE stream_id = $1 AND stream_version = $2',
        [stream, version],
      )
    ).rows[0]!;

  beforeEach(async () => {
    testDb = await createTestDatabase('hash_chain');
    db = await openDatabase({ url: testDb.url, schema: 'audit_test', migrations: eventStoreMigrations });
    for (const stream of streams) {
      for (let version = 0; version < 3; version++) {
        await db.transaction((tx) =>
          store.append(tx, stream, version, [
            {
              eventId: randomUUID(),
              type: `Step${version + 1}`,
              data: { amount: 100 + version, note: '退还年费', nested: { b: 1, a: [1, 2] } },
              metadata: metadata(),
            },
          ]),
        );
      }
    }
    // A checkpoint covers transactions below every open snapshot on the server; another session's
    // open transaction (a busy shared server) would leave ours out of it, so wait until they are in.
    await eventually(
      'the appended events below every open snapshot',
      async () => {
        const { rows } = await db.query<{ pending: string }>(
          'SELECT count(*) AS pending FROM events WHERE transaction_id >= pg_snapshot_xmin(pg_current_snapshot())',
        );
        return Number(rows[0]!.pending) === 0 ? true : undefined;
      },
      120_000,
    );
    expect((await writeCheckpoint(db, signer)).events).toBe(9);
    // These tests play the table's owner, who can lift the append-only trigger (the insider suite too).
    await db.query('ALTER TABLE events DISABLE TRIGGER events_append_only');
  });
  afterEach(async () => {
    await db?.close();
    await testDb?.drop();
  });

  it('verifies an untouched log', async () => {
    expect(await verifyLog(db, trusted)).toEqual([]);
  });

  it('names the event whose content was changed by one byte', async () => {
    const target = await row(streams[1]!, 2);
    // Version 2 holds amount 101: one digit changed.
    await db.query(`UPDATE events SET data = jsonb_set(data, '{amount}', '102') WHERE event_id = $1`, [
      target.event_id,
    ]);
    expect(await verifyLog(db, trusted)).toEqual([
      expect.objectContaining({ kind: 'altered', eventId: target.event_id, streamId: streams[1], streamVersion: 2 }),
    ]);
  });

  it('names the gap where an event was removed from the middle of a stream', async () => {
    const target = await row(streams[0]!, 2);
    await db.query('DELETE FROM events WHERE event_id = $1', [target.event_id]);
    const findings = await verifyLog(db, trusted);
    expect(findings).toContainEqual(
      expect.objectContaining({ kind: 'removed', streamId: streams[0], streamVersion: 2 }),
    );
  });

  it('catches the removal of a stream’s last event through the signed checkpoint', async () => {
    const target = await row(streams[2]!, 3);
    await db.query('DELETE FROM events WHERE event_id = $1', [target.event_id]);
    expect(await verifyLog(db, trusted)).toEqual([
      expect.objectContaining({ kind: 'removed', streamId: streams[2], streamVersion: 3 }),
    ]);
  });

  it('names an event inserted into a stream, even one with a well-formed, back-dated chain', async () => {
    const head = await row(streams[0]!, 3);
    const forged = {
      eventId: randomUUID(),
      streamId: streams[0]!,
      streamVersion: 4,
      type: 'Step4',
      schemaVersion: 1,
      data: { amount: 1 },
      metadata: metadata(),
    };
    await db.query(
      `INSERT INTO events (event_id, stream_id, stream_version, type, schema_version, data, metadata, hash, prev_hash, transaction_id)
       VALUES ($1, $2, 4, 'Step4', 1, $3::jsonb, $4::jsonb, $5, $6, '3'::xid8)`,
      [
        forged.eventId,
        forged.streamId,
        JSON.stringify(forged.data),
        JSON.stringify(forged.metadata),
        eventHash(head.hash, forged),
        head.hash,
      ],
    );
    expect(await verifyLog(db, trusted)).toEqual([
      expect.objectContaining({ kind: 'inserted', streamId: streams[0], streamVersion: 4 }),
    ]);
  });

  it('refuses a checkpoint whose signature does not match', async () => {
    await db.query(`UPDATE audit_checkpoints SET digest = repeat('0', 64)`);
    expect(await verifyLog(db, trusted)).toEqual([
      expect.objectContaining({ kind: 'checkpoint', detail: expect.stringMatching(/invalid signature/) }),
    ]);
  });

  it('trusts a key only within its validity, and no key found in the database', async () => {
    const expired = { ...trustedKeyOf(signer), validTo: new Date(Date.now() - 60_000) };
    expect(await verifyLog(db, { trusted: [expired] })).toEqual([
      expect.objectContaining({
        kind: 'checkpoint',
        checkpoint: 1,
        detail: expect.stringMatching(/outside the validity/),
      }),
    ]);
    expect(await verifyLog(db)).toEqual([
      expect.objectContaining({
        kind: 'checkpoint',
        checkpoint: 1,
        detail: expect.stringMatching(/not a trusted key/),
      }),
    ]);
  });

  it('names a checkpoint removed from the middle, and one a witness saw that the database lacks', async () => {
    const second = await writeCheckpoint(db, signer);
    await writeCheckpoint(db, signer);
    await db.query('DELETE FROM audit_checkpoints WHERE id = 2');
    expect(await verifyLog(db, trusted)).toEqual([
      expect.objectContaining({ kind: 'checkpoint', checkpoint: 2, detail: expect.stringMatching(/is missing/) }),
    ]);
    const witness = { name: 'witness', entries: [{ schema: 'audit_test', ...second.witness }] };
    expect(await verifyLog(db, { ...trusted, witnesses: [witness] })).toContainEqual(
      expect.objectContaining({
        checkpoint: 2,
        detail: expect.stringMatching(/in the witness but not in the database/),
      }),
    );
  });

  it('reports findings from the CLI with a failing exit status', async () => {
    const cli = join(__dirname, '../dist/audit-cli.js');
    const env = {
      ...process.env,
      DATABASE_URL: testDb.url,
      AUDIT_SIGNING_KEY: signer.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    };
    const clean = await promisify(execFile)(process.execPath, [cli, 'verify', '--schema', 'audit_test'], { env });
    expect(clean.stdout).toContain('audit_test: every chain and checkpoint verifies');
    await db.query(`UPDATE events SET type = 'Forged' WHERE stream_id = $1 AND stream_version = 1`, [streams[1]]);
    const failed = await promisify(execFile)(process.execPath, [cli, 'verify', '--schema', 'audit_test'], {
      env,
    }).catch((error: { code: number; stdout: string }) => error);
    expect(failed).toMatchObject({ code: 1, stdout: expect.stringContaining(`ALTERED: event`) });
  });
});
