/**
 * Tamper evidence for an event store. Each event's hash covers its content and the previous hash
 * of its stream, so changing, removing or inserting an event breaks the chain from there on; and
 * signed checkpoints (Ed25519) pin every stream's head and a digest of the whole log at a moment,
 * so rewriting a chain end-to-end, or removing a stream's last events, is caught too.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import type { SqlClient } from './database';
import type { EventRow } from './event-row';
import { keyFingerprint, type AuditSigner, type TrustedKey } from './audit-keys';
import type { WitnessEntry, WitnessCopy } from './witness';

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
  /** The checkpoint the finding is about (its number). */
  checkpoint?: number;
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

export interface VerifyOptions {
  /** The keys checkpoints may be signed with (configuration, never the database). */
  trusted?: TrustedKey[];
  /** Copies of the checkpoints kept outside the database. */
  witnesses?: WitnessCopy[];
}

/** Every stream's chain, and every checkpoint against the trusted keys, the witnesses and the log as it is now. */
export async function verifyLog(client: SqlClient, options: VerifyOptions = {}): Promise<Finding[]> {
  const { rows } = await client.query<ChainRow>(
    `SELECT ${CHAIN_COLUMNS} FROM events ORDER BY stream_id, stream_version`,
  );
  const byStream = new Map<string, ChainRow[]>();
  for (const row of rows) byStream.set(row.stream_id, [...(byStream.get(row.stream_id) ?? []), row]);
  const findings = [...byStream.values()].flatMap(checkStream);
  const { rows: checkpoints } = await client.query<CheckpointRow>(
    `SELECT id, transaction_boundary::text AS transaction_boundary, digest, heads, public_key, signature, created_at,
            key_id, previous_digest, signed_at
       FROM audit_checkpoints ORDER BY id`,
  );
  const trusted = options.trusted ?? [];
  const byId = new Map(checkpoints.map((c) => [c.id, c]));
  for (const checkpoint of checkpoints) {
    const signatureFinding = checkSignature(checkpoint, trusted);
    if (signatureFinding) {
      findings.push(signatureFinding);
      continue;
    }
    findings.push(...checkSequence(checkpoint, byId), ...checkCheckpoint(checkpoint, rows));
  }
  for (const witness of options.witnesses ?? []) findings.push(...checkWitness(witness, byId));
  return findings;
}

interface CheckpointRow {
  /** The checkpoint's number: one more than the previous one's, and signed. */
  id: number;
  /** The checkpoint covers exactly the events of transactions below this id (final when it was taken). */
  transaction_boundary: string;
  digest: string;
  heads: Record<string, { version: number; hash: string }>;
  /** Kept for reading; never used to verify (a database writer can put any key here). */
  public_key: string;
  signature: string;
  created_at: Date;
  /** Null on checkpoints written before keys had ids and checkpoints were chained (format 1). */
  key_id: string | null;
  previous_digest: string | null;
  signed_at: Date | null;
}

const at = (checkpoint: CheckpointRow) => `checkpoint ${checkpoint.id} (${checkpoint.created_at.toISOString()})`;

/** Format 2 signs the number, the previous checkpoint's digest, the key and the time as well. */
function signedTextOf(checkpoint: CheckpointRow): string {
  const content = signedText(checkpoint.transaction_boundary, checkpoint.digest, checkpoint.heads);
  if (checkpoint.key_id === null) return content;
  return `checkpoint v2\n${checkpoint.id}\n${checkpoint.previous_digest ?? ''}\n${checkpoint.key_id}\n${checkpoint.signed_at?.toISOString() ?? ''}\n${content}`;
}

/** What the next checkpoint and the witnesses name a checkpoint by. */
function checkpointDigest(checkpoint: CheckpointRow): string {
  return createHash('sha256').update(signedTextOf(checkpoint)).digest('hex');
}

function checkSignature(checkpoint: CheckpointRow, trusted: TrustedKey[]): Finding | undefined {
  const fail = (why: string): Finding => ({
    kind: 'checkpoint',
    checkpoint: checkpoint.id,
    detail: `${at(checkpoint)} ${why}`,
  });
  // Format 1 rows name no key: the stored public key only says which trusted key to try.
  const keyId =
    checkpoint.key_id ??
    keyFingerprint(createPublicKey({ key: Buffer.from(checkpoint.public_key, 'base64'), format: 'der', type: 'spki' }));
  const key = trusted.find((k) => k.id === keyId);
  if (!key) return fail(`is signed with key ${keyId}, which is not a trusted key`);
  const signedAt = checkpoint.signed_at ?? checkpoint.created_at;
  if ((key.validFrom && signedAt < key.validFrom) || (key.validTo && signedAt >= key.validTo)) {
    return fail(`is signed at ${signedAt.toISOString()}, outside the validity of key ${keyId}`);
  }
  const valid = verify(
    null,
    Buffer.from(signedTextOf(checkpoint)),
    key.publicKey,
    Buffer.from(checkpoint.signature, 'base64'),
  );
  return valid ? undefined : fail('has an invalid signature');
}

/** Each checkpoint names its predecessor: one removed from the middle, or replaced, breaks the link. */
function checkSequence(checkpoint: CheckpointRow, byId: Map<number, CheckpointRow>): Finding[] {
  if (checkpoint.key_id === null || checkpoint.id === 1) return [];
  const previous = byId.get(checkpoint.id - 1);
  if (!previous) {
    return [
      {
        kind: 'checkpoint',
        checkpoint: checkpoint.id - 1,
        detail: `checkpoint ${checkpoint.id - 1}, which ${at(checkpoint)} follows, is missing`,
      },
    ];
  }
  if (checkpoint.previous_digest !== null && checkpointDigest(previous) !== checkpoint.previous_digest) {
    return [
      {
        kind: 'checkpoint',
        checkpoint: previous.id,
        detail: `${at(previous)} is not the checkpoint ${at(checkpoint)} follows`,
      },
    ];
  }
  return [];
}

/** Every checkpoint a witness saw must be in the database as it was signed. */
function checkWitness(witness: WitnessCopy, byId: Map<number, CheckpointRow>): Finding[] {
  if (witness.unreadable !== undefined) {
    return [{ kind: 'checkpoint', detail: `the ${witness.name} could not be read: ${witness.unreadable}` }];
  }
  const findings: Finding[] = [];
  const seen = new Set<number>();
  for (const entry of witness.entries) {
    seen.add(entry.id);
    const checkpoint = byId.get(entry.id);
    if (!checkpoint) {
      findings.push({
        kind: 'checkpoint',
        checkpoint: entry.id,
        detail: `checkpoint ${entry.id} (signed ${entry.signedAt}) is in the ${witness.name} but not in the database`,
      });
    } else if (checkpointDigest(checkpoint) !== entry.digest) {
      findings.push({
        kind: 'checkpoint',
        checkpoint: entry.id,
        detail: `${at(checkpoint)} differs from the one the ${witness.name} saw signed at ${entry.signedAt}`,
      });
    }
  }
  // Checkpoints past the witness's last one may be newer than the copy; below it, the witness saw every one.
  const last = Math.max(0, ...seen);
  for (const id of byId.keys()) {
    if (id <= last && !seen.has(id)) {
      findings.push({
        kind: 'checkpoint',
        checkpoint: id,
        detail: `checkpoint ${id} is in the database but the ${witness.name} never saw it`,
      });
    }
  }
  return findings;
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
  const when = at(checkpoint);
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
        detail: `${streamId} ended at v${head.version} at ${when}; v${(now?.version ?? 0) + 1}.. are gone`,
      });
    } else if (now.version === head.version && now.hash !== head.hash) {
      // The stream's chain was recomputed after an edit: consistent in itself, but not what was signed.
      findings.push({
        kind: 'altered',
        streamId,
        streamVersion: head.version,
        checkpoint: checkpoint.id,
        detail: `${streamId} v${head.version} is not the event ${when} signed: the stream was rewritten`,
      });
    } else if (now.version > head.version) {
      findings.push({
        kind: 'inserted',
        streamId,
        streamVersion: head.version + 1,
        detail: `${streamId} has events up to v${now.version} at or before ${when}, which saw v${head.version}`,
      });
    }
  }
  for (const streamId of Object.keys(heads).filter((s) => !(s in checkpoint.heads))) {
    findings.push({
      kind: 'inserted',
      streamId,
      detail: `${streamId} has events at or before ${when}, which did not know the stream`,
    });
  }
  if (findings.length === 0 && digestOf(rows, upTo) !== checkpoint.digest) {
    findings.push({
      kind: 'checkpoint',
      checkpoint: checkpoint.id,
      detail: `the log up to ${when} no longer matches its digest`,
    });
  }
  return findings;
}

/** A throwaway signing key (tests, and `npm run audit -- checkpoint` with a key from configuration only). */
export function auditSigner(pem?: string): AuditSigner {
  if (pem) {
    const privateKey = createPrivateKey(pem);
    return { privateKey, publicKey: createPublicKey(privateKey) };
  }
  return generateKeyPairSync('ed25519');
}

export interface WrittenCheckpoint {
  id: number;
  events: number;
  /** What the witnesses keep of it. */
  witness: Omit<WitnessEntry, 'schema'>;
}

/**
 * Signs the log as it stands: every stream's head and a digest of every final event, numbered one
 * past the last checkpoint and naming its digest. Two writers at once: one fails on the number.
 */
export async function writeCheckpoint(client: SqlClient, signer: AuditSigner): Promise<WrittenCheckpoint> {
  const { rows: snapshot } = await client.query<{ boundary: string }>(
    'SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS boundary',
  );
  const boundary = snapshot[0]!.boundary;
  const { rows } = await client.query<ChainRow>(`SELECT ${CHAIN_COLUMNS} FROM events WHERE transaction_id < $1::xid8`, [
    boundary,
  ]);
  const { rows: last } = await client.query<CheckpointRow>(
    `SELECT id, transaction_boundary::text AS transaction_boundary, digest, heads, public_key, signature, created_at,
            key_id, previous_digest, signed_at
       FROM audit_checkpoints ORDER BY id DESC LIMIT 1`,
  );
  const publicKey = signer.publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
  const checkpoint: CheckpointRow = {
    id: (last[0]?.id ?? 0) + 1,
    transaction_boundary: boundary,
    digest: digestOf(rows, BigInt(boundary)),
    heads: headsOf(rows, BigInt(boundary)),
    public_key: publicKey,
    signature: '',
    created_at: new Date(),
    key_id: signer.keyId ?? keyFingerprint(signer.publicKey),
    previous_digest: last[0] ? checkpointDigest(last[0]) : null,
    signed_at: new Date(),
  };
  checkpoint.signature = sign(null, Buffer.from(signedTextOf(checkpoint)), signer.privateKey).toString('base64');
  await client.query(
    `INSERT INTO audit_checkpoints (id, transaction_boundary, digest, heads, public_key, signature, key_id, previous_digest, signed_at)
     VALUES ($1, $2::xid8, $3, $4::jsonb, $5, $6, $7, $8, $9)`,
    [
      checkpoint.id,
      boundary,
      checkpoint.digest,
      JSON.stringify(checkpoint.heads),
      publicKey,
      checkpoint.signature,
      checkpoint.key_id,
      checkpoint.previous_digest,
      checkpoint.signed_at,
    ],
  );
  return {
    id: checkpoint.id,
    events: rows.length,
    witness: {
      id: checkpoint.id,
      digest: checkpointDigest(checkpoint),
      keyId: checkpoint.key_id!,
      signedAt: checkpoint.signed_at!.toISOString(),
    },
  };
}
