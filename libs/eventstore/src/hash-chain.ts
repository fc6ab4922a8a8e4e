/**
 * Tamper evidence for an event store. Each event's hash covers its content and the previous hash
 * of its stream, so changing, removing or inserting an event breaks the chain from there on; and
 * signed checkpoints (Ed25519) pin every stream's head and a digest of the whole log at a moment,
 * so rewriting a chain end-to-end, or removing a stream's last events, is caught too.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import type { SqlClient } from './database';
import type { EventRow } from './event-row';

/** JSON with object keys sorted at every level: what PostgreSQL's jsonb gives back hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export interface HashedContent {
  eventId: string;
  streamId: string;
  streamVersion: number;
  type: string;
  schemaVersion: number;
  data: unknown;
  metadata: unknown;
}

export function eventHash(previousHash: string | null, event: HashedContent): string {
  const { eventId, streamId, streamVersion, type, schemaVersion, data, metadata } = event;
  return createHash('sha256')
    .update(
      `${previousHash ?? ''}\n${canonicalJson({ eventId, streamId, streamVersion, type, schemaVersion, data, metadata })}`,
    )
    .digest('hex');
}

export interface Finding {
  kind: 'altered' | 'removed' | 'inserted' | 'checkpoint';
  streamId?: string;
  streamVersion?: number;
  eventId?: string;
  detail: string;
}

type ChainRow = Omit<EventRow, 'recorded_at'> & { hash: string | null; prev_hash: string | null };

const CHAIN_COLUMNS =
  'global_position, transaction_id::text AS transaction_id, event_id, stream_id, stream_version, type, schema_version, data, metadata, hash, prev_hash';

function checkStream(rows: ChainRow[]): Finding[] {
  const findings: Finding[] = [];
  let previousHash: string | null = null;
  let expectedVersion = 1;
  for (const row of rows) {
    const where = { streamId: row.stream_id, streamVersion: row.stream_version, eventId: row.event_id };
    if (row.stream_version > expectedVersion) {
      findings.push({
        kind: 'removed',
        streamId: row.stream_id,
        streamVersion: expectedVersion,
        detail: `versions ${expectedVersion}..${row.stream_version - 1} of ${row.stream_id} are missing`,
      });
    }
    const recomputed = eventHash(row.prev_hash, {
      eventId: row.event_id,
      streamId: row.stream_id,
      streamVersion: row.stream_version,
      type: row.type,
      schemaVersion: row.schema_version,
      data: row.data,
      metadata: row.metadata,
    });
    if (row.hash !== recomputed) {
      findings.push({
        kind: 'altered',
        ...where,
        detail: `event ${row.event_id} (${row.stream_id} v${row.stream_version}) does not match its hash`,
      });
    } else if (row.prev_hash !== previousHash && row.stream_version === expectedVersion) {
      findings.push({
        kind: 'inserted',
        ...where,
        detail: `event ${row.event_id} (${row.stream_id} v${row.stream_version}) does not follow the previous event of its stream`,
      });
    }
    previousHash = row.hash;
    expectedVersion = row.stream_version + 1;
  }
  return findings;
}

export async function verifyStream(client: SqlClient, streamId: string): Promise<Finding[]> {
  const { rows } = await client.query<ChainRow>(
    `SELECT ${CHAIN_COLUMNS} FROM events WHERE stream_id = $1 ORDER BY stream_version`,
    [streamId],
  );
  return checkStream(rows);
}

/** Every stream's chain, and every checkpoint against the log as it is now. */
export async function verifyLog(client: SqlClient): Promise<Finding[]> {
  const { rows } = await client.query<ChainRow>(
    `SELECT ${CHAIN_COLUMNS} FROM events ORDER BY stream_id, stream_version`,
  );
  const byStream = new Map<string, ChainRow[]>();
  for (const row of rows) byStream.set(row.stream_id, [...(byStream.get(row.stream_id) ?? []), row]);
  const findings = [...byStream.values()].flatMap(checkStream);
  const { rows: checkpoints } = await client.query<CheckpointRow>(
    'SELECT id, transaction_boundary::text AS transaction_boundary, digest, heads, public_key, signature, created_at FROM audit_checkpoints ORDER BY id',
  );
  for (const checkpoint of checkpoints) findings.push(...checkCheckpoint(checkpoint, rows));
  return findings;
}

interface CheckpointRow {
  id: number;
  /** The checkpoint covers exactly the events of transactions below this id (final when it was taken). */
  transaction_boundary: string;
  digest: string;
  heads: Record<string, { version: number; hash: string }>;
  public_key: string;
  signature: string;
  created_at: Date;
}

const covered = (row: ChainRow, boundary: bigint) => BigInt(row.transaction_id) < boundary;

function digestOf(rows: ChainRow[], boundary: bigint): string {
  const hash = createHash('sha256');
  for (const row of [...rows].sort((a, b) => (BigInt(a.global_position) < BigInt(b.global_position) ? -1 : 1))) {
    if (covered(row, boundary)) hash.update(`${row.global_position}:${row.hash ?? ''}\n`);
  }
  return hash.digest('hex');
}

function headsOf(rows: ChainRow[], boundary: bigint): Record<string, { version: number; hash: string }> {
  const heads: Record<string, { version: number; hash: string }> = {};
  for (const row of rows) {
    if (!covered(row, boundary)) continue;
    const head = heads[row.stream_id];
    if (!head || row.stream_version > head.version)
      heads[row.stream_id] = { version: row.stream_version, hash: row.hash ?? '' };
  }
  return heads;
}

const signedText = (position: string, digest: string, heads: unknown) =>
  `${position}\n${digest}\n${canonicalJson(heads)}`;

function checkCheckpoint(checkpoint: CheckpointRow, rows: ChainRow[]): Finding[] {
  const at = `checkpoint ${checkpoint.id} (${checkpoint.created_at.toISOString()})`;
  const publicKey = {
    key: Buffer.from(checkpoint.public_key, 'base64'),
    format: 'der' as const,
    type: 'spki' as const,
  };
  if (
    !verify(
      null,
      Buffer.from(signedText(checkpoint.transaction_boundary, checkpoint.digest, checkpoint.heads)),
      publicKey,
      Buffer.from(checkpoint.signature, 'base64'),
    )
  ) {
    return [{ kind: 'checkpoint', detail: `${at} has an invalid signature` }];
  }
  const upTo = BigInt(checkpoint.transaction_boundary);
  const findings: Finding[] = [];
  const heads = headsOf(rows, upTo);
  for (const [streamId, head] of Object.entries(checkpoint.heads)) {
    const now = heads[streamId];
    if (!now || now.version < head.version) {
      findings.push({
        kind: 'removed',
        streamId,
        streamVersion: (now?.version ?? 0) + 1,
        detail: `${streamId} ended at v${head.version} at ${at}; v${(now?.version ?? 0) + 1}.. are gone`,
      });
    } else if (now.version > head.version) {
      findings.push({
        kind: 'inserted',
        streamId,
        streamVersion: head.version + 1,
        detail: `${streamId} has events up to v${now.version} at or before ${at}, which saw v${head.version}`,
      });
    }
  }
  for (const streamId of Object.keys(heads).filter((s) => !(s in checkpoint.heads))) {
    findings.push({
      kind: 'inserted',
      streamId,
      detail: `${streamId} has events at or before ${at}, which did not know the stream`,
    });
  }
  if (findings.length === 0 && digestOf(rows, upTo) !== checkpoint.digest) {
    findings.push({ kind: 'checkpoint', detail: `the log up to ${at} no longer matches its digest` });
  }
  return findings;
}

export interface AuditSigner {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** A signing key for checkpoints. Production supplies it (AUDIT_SIGNING_KEY, PKCS#8 PEM) from a secret store. */
export function auditSigner(pem = process.env.AUDIT_SIGNING_KEY): AuditSigner {
  if (pem) {
    const privateKey = createPrivateKey(pem);
    return { privateKey, publicKey: createPublicKey(privateKey) };
  }
  return generateKeyPairSync('ed25519');
}

/** Signs the log as it stands: every stream's head and a digest of every final event. */
export async function writeCheckpoint(client: SqlClient, signer: AuditSigner): Promise<{ id: number; events: number }> {
  const { rows: snapshot } = await client.query<{ boundary: string }>(
    'SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS boundary',
  );
  const boundary = snapshot[0]!.boundary;
  const { rows } = await client.query<ChainRow>(`SELECT ${CHAIN_COLUMNS} FROM events WHERE transaction_id < $1::xid8`, [
    boundary,
  ]);
  const digest = digestOf(rows, BigInt(boundary));
  const heads = headsOf(rows, BigInt(boundary));
  const signature = sign(null, Buffer.from(signedText(boundary, digest, heads)), signer.privateKey).toString('base64');
  const publicKey = signer.publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
  const { rows: written } = await client.query<{ id: number }>(
    'INSERT INTO audit_checkpoints (transaction_boundary, digest, heads, public_key, signature) VALUES ($1::xid8, $2, $3::jsonb, $4, $5) RETURNING id',
    [boundary, digest, JSON.stringify(heads), publicKey, signature],
  );
  return { id: written[0]!.id, events: rows.length };
}
