/**
 * Registers a complaint exactly once: the reference, the events (personal fields sealed with the
 * data subject's key), the evidence and the de-duplication record are written in one transaction, so a retried request — same
 * Idempotency-Key, or the same native id of its channel (Message-ID, call id, regulator
 * reference) — returns the first result and creates nothing. A first registration costs six round
 * trips: BEGIN with the tenant scope, the data key (the description is matched on as trigrams
 * tagged with it), the context (registration-context.ts), the events, the index and
 * de-duplication record, COMMIT. An Idempotency-Key is the client's own: another client of the
 * tenant reusing it registers its own complaint.
 */
import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { RuleRejectedError, type CommandMetadata } from '@complaints/decider';
import { decideAndAppend, newId, EventStore, type Database } from '@complaints/eventstore';
import { DATABASE, EVENT_STORE, KEY_VAULT } from '@complaints/kit';
import type { KeyVault } from '@complaints/privacy';
import { storeAttachments, type IncomingFile } from '../attachment-store';
import { recordRegistration, registrationContext } from './registration-context';
import { sealPersonalData, subjectIdentity } from './personal-data';
import { trigramsOf } from './trigrams';
import { SlaCatalogue } from '@complaints/sla';
import { timeLimitFor, type TimeLimit } from './time-limit';
import { complaintDecider, complaintStream } from '../../domain/complaint.decide';
import type { ComplaintDetails } from '../../domain/complaint';

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
  /** Whose key it is (kit's `clientOf`) for an Idempotency-Key; a channel's native id is the tenant's. */
  client?: string;
}

export class IdempotencyKeyReused extends RuleRejectedError {}

/**
 * A repeat answered from the first registration: thrown out of the transaction so it rolls back,
 * and a data key the transaction stored for a subject that registered nothing goes with it.
 */
class Replayed extends Error {
  constructor(readonly registration: Registration) {
    super('replayed');
  }
}

@Injectable()
export class RegisterComplaintHandler {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(KEY_VAULT) private readonly vault: KeyVault,
    private readonly sla: SlaCatalogue,
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
          const complaintId = newId();
          const subjectId = this.vault.subjectId(meta.tenant, subjectIdentity(details, complaintId));
          const { tenant, now } = meta;
          // The key first: the description is matched on as trigrams tagged with it, never in clear.
          const dataKey = await this.vault.dataKeyFor(tenant, subjectId, tx);
          const trigrams = dataKey.tags(trigramsOf(details.description));
          const key = dedup && { key: dedup.key, client: dedup.client ?? '' };
          const context = await registrationContext(tx, { tenant, dedup: key, subjectId, trigrams, now });
          if ('earlier' in context) throw new Replayed(this.replay(context.earlier, dedup!, requestHash));
          const { history, reference } = context;
          const attachments = [...(details.attachments ?? []), ...(await storeAttachments(tx, tenant, files))];
          const sealed = sealPersonalData(
            { ...details, ...(attachments.length ? { attachments } : {}) },
            subjectId,
            dataKey.seal,
          );
          const data = { ...sealed, complaintId, reference, history };
          const stream = complaintStream(complaintId);
          const command = { type: 'RegisterComplaint' as const, data };
          await decideAndAppend(tx, this.store, complaintDecider, stream, command, meta, { newStream: true });
          await dataKey.keep(); // decided and appended: only now may a new key be stored (if the vault is elsewhere)
          // A channel that knows when the complaint reached the company (a call's start) starts its clocks then.
          const receivedAt = details.receivedAt ?? now.toISOString();
          const registration = {
            complaintId,
            reference,
            receivedAt,
            timeLimit: timeLimitFor(this.sla, tenant, details, reference, new Date(receivedAt)),
          };
          const recorded = key && { ...key, requestHash, response: registration };
          await recordRegistration(tx, tenant, subjectId, { complaintId, reference, trigrams, receivedAt }, recorded);
          return { ...registration, replayed: false };
        });
      } catch (error) {
        if (error instanceof Replayed) return { ...error.registration, replayed: true };
        // Two submissions with one key raced: the loser's transaction rolled back; read the winner's.
        if (attempt < 3 && (error as { code?: string }).code === '23505') continue;
        throw error;
      }
    }
  }

  /** The first registration under the request's key; with a strict key, only for the same request. */
  private replay(
    earlier: { requestHash: string; response: unknown },
    dedup: DedupKey,
    requestHash: string,
  ): Registration {
    if (dedup.strict && earlier.requestHash !== requestHash) {
      throw new IdempotencyKeyReused(
        `Idempotency-Key "${dedup.key.replace(/^idempotency:/, '')}" was already used for a different complaint`,
        { idempotencyKey: dedup.key },
      );
    }
    return earlier.response as Registration;
  }
}
