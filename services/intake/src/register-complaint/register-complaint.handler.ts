/**
 * Registers a complaint exactly once: the reference, the events (personal fields sealed with the
 * data subject's key), the evidence and the de-duplication record are written in one transaction, so a retried request — same
 * Idempotency-Key, or the same native id of its channel (Message-ID, call id, regulator
 * reference) — returns the first result and creates nothing.
 */
import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { RuleRejectedError, type CommandMetadata } from '@complaints/decider';
import { decideAndAppend, newId, EventStore, type Database, type SqlClient } from '@complaints/eventstore';
import { DATABASE, EVENT_STORE, KEY_VAULT } from '@complaints/kit';
import type { KeyVault } from '@complaints/privacy';
import { storeAttachments, type IncomingFile } from '../attachments/attachment-store';
import { customerHistory, indexComplaint } from './customer-history';
import { sealPersonalData, subjectIdentity } from './personal-data';
import { timeLimitFor, type TimeLimit } from './time-limit';
import { complaintDecider, complaintStream } from '../domain/complaint.decide';
import type { ComplaintDetails } from '../domain/complaint';

export interface Registration {
  complaintId: string;
  reference: string;
  receivedAt: string;
  timeLimit: TimeLimit;
}

/**
 * What makes two submissions the same. `strict`: the same key with another body is an error
 * (Idempotency-Key); otherwise the first registration stands (a channel resending its record).
 */
export interface DedupKey {
  key: string;
  strict: boolean;
}

export class IdempotencyKeyReused extends RuleRejectedError {}

@Injectable()
export class RegisterComplaintHandler {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(KEY_VAULT) private readonly vault: KeyVault,
  ) {}

  async register(
    details: ComplaintDetails,
    meta: CommandMetadata,
    dedup?: DedupKey,
    files: IncomingFile[] = [],
  ): Promise<Registration & { replayed: boolean }> {
    const requestHash = createHash('sha256').update(JSON.stringify(details)).digest('hex');
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.transaction(async (tx) => {
          const earlier = dedup ? await this.earlier(tx, meta.tenant, dedup, requestHash) : undefined;
          if (earlier) return { ...earlier, replayed: true };
          const complaintId = newId();
          const subjectId = this.vault.subjectId(meta.tenant, subjectIdentity(details, complaintId));
          const attachments = [...(details.attachments ?? []), ...(await storeAttachments(tx, meta.tenant, files))];
          const history = await customerHistory(tx, subjectId, details.description, meta.now);
          const dataKey = await this.vault.dataKeyFor(subjectId);
          const sealed = sealPersonalData(
            { ...details, ...(attachments.length ? { attachments } : {}) },
            subjectId,
            dataKey.seal,
          );
          let reference = '';
          const stream = complaintStream(complaintId);
          await decideAndAppend(
            tx,
            this.store,
            complaintDecider,
            stream,
            async () => {
              reference = await nextReference(tx, meta.now);
              const data = { ...sealed, complaintId, reference, history };
              return { type: 'RegisterComplaint' as const, data };
            },
            meta,
          );
          await dataKey.keep(); // decided and appended: only now may a new key be stored
          await indexComplaint(
            tx,
            meta.tenant,
            subjectId,
            { complaintId, reference, description: details.description },
            meta.now,
          );
          const registration = {
            complaintId,
            reference,
            receivedAt: meta.now.toISOString(),
            timeLimit: timeLimitFor(meta.tenant, details, reference, meta.now),
          };
          if (dedup) {
            await tx.query(
              `INSERT INTO idempotency_keys (tenant, key, request_hash, complaint_id, response) VALUES ($1, $2, $3, $4, $5::jsonb)`,
              [meta.tenant, dedup.key, requestHash, complaintId, JSON.stringify(registration)],
            );
          }
          return { ...registration, replayed: false };
        });
      } catch (error) {
        // Two submissions with one key raced: the loser's transaction rolled back; read the winner's.
        if (attempt < 3 && (error as { code?: string }).code === '23505') continue;
        throw error;
      }
    }
  }

  private async earlier(
    tx: SqlClient,
    tenant: string,
    dedup: DedupKey,
    requestHash: string,
  ): Promise<Registration | undefined> {
    const { rows } = await tx.query<{ request_hash: string; response: Registration }>(
      'SELECT request_hash, response FROM idempotency_keys WHERE tenant = $1 AND key = $2',
      [tenant, dedup.key],
    );
    const row = rows[0];
    if (!row) return undefined;
    if (dedup.strict && row.request_hash !== requestHash) {
      throw new IdempotencyKeyReused(
        `Idempotency-Key "${dedup.key.replace(/^idempotency:/, '')}" was already used for a different complaint`,
        {
          idempotencyKey: dedup.key,
        },
      );
    }
    return row.response;
  }
}

/**
 * CMP-<year>-<number>: unique and increasing within a year, from the year's sequence (migrations.ts),
 * so registrations do not queue behind each other's commits. A registration that fails after taking
 * its number leaves a gap: the event log, not the numbering, is the complete record.
 */
async function nextReference(tx: SqlClient, now: Date): Promise<string> {
  const year = now.getUTCFullYear();
  const { rows } = await tx.query<{ last: string }>('SELECT next_reference_number($1) AS last', [year]);
  return `CMP-${year}-${rows[0]!.last.padStart(6, '0')}`;
}
