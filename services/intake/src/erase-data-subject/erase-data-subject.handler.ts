/**
 * Erasure of a data subject (GDPR art. 17, PIPL art. 47) by crypto-shredding, for the caller's
 * tenant only. First the subject must be the tenant's: a subject id with no complaint of this
 * tenant is a 404 that changes nothing (row-level security hides other tenants' complaints, so the
 * answer is the same whether another tenant knows the id or nobody does). Then the tenant's keys
 * of the subject are destroyed, so every sealed copy — in this event store, on the topics, in
 * other services' projections — is unreadable from that moment; then, in one transaction, the
 * tagged trigrams intake keeps for matching are emptied, evidence no other complaint of the tenant
 * refers to is deleted, and each complaint records `ComplainantErased` (published as
 * complainant.erased.v1). Keys go first so that no record ever claims an erasure that did not
 * happen; a crash between the two leaves the complaints indexed under the subject, so a retry finds
 * them and completes the record (the decider records each complaint's erasure once). The events
 * stay and their hash chains still verify: they only ever held ciphertext.
 */
import { Inject, Injectable } from '@nestjs/common';
import { NotFoundError, type CommandMetadata } from '@complaints/decider';
import {
  decideAndAppend,
  StreamVersionConflict,
  type Database,
  type EventStore,
  type SqlClient,
} from '@complaints/eventstore';
import { DATABASE, EVENT_STORE, KEY_VAULT } from '@complaints/kit';
import type { KeyVault } from '@complaints/privacy';
import { complaintDecider, complaintStream } from '../domain/complaint.decide';
import { forgetDescriptions } from '../infrastructure/customer-history';

export interface Erasure {
  subjectId: string;
  erasedAt: string;
  /** Data keys destroyed by this request (0 when the subject was already erased). */
  keysDestroyed: number;
  complaints: string[];
}

/**
 * Deletes the tenant's evidence filed with these complaints that no other live complaint of the
 * tenant refers to (a complaint whose complainant was erased refers to nothing any more).
 */
async function purgeAttachments(tx: SqlClient, tenant: string, streams: string[]): Promise<void> {
  await tx.query(
    `DELETE FROM attachments a
      USING (SELECT DISTINCT jsonb_array_elements(data->'attachments')->>'sha256' AS sha256
               FROM events WHERE type = 'ComplaintReceived' AND stream_id = ANY($1::text[])) mine
      WHERE a.tenant = $2 AND a.sha256 = mine.sha256
        AND NOT EXISTS (SELECT 1 FROM events e
                         WHERE e.type = 'ComplaintReceived' AND e.metadata->>'tenant' = $2
                           AND NOT (e.stream_id = ANY($1::text[]))
                           AND e.data->'attachments' @> jsonb_build_array(jsonb_build_object('sha256', a.sha256))
                           AND NOT EXISTS (SELECT 1 FROM events x
                                            WHERE x.stream_id = e.stream_id AND x.type = 'ComplainantErased'))`,
    [streams, tenant],
  );
}

/** Whether the tenant has complaints of the subject (its index rows outlive an erasure). */
async function knownInTenant(db: Database, tenant: string, subjectId: string): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM complaint_index WHERE tenant = $1 AND subject_id = $2 LIMIT 1', [
    tenant,
    subjectId,
  ]);
  return rows.length > 0;
}

@Injectable()
export class EraseDataSubjectHandler {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(KEY_VAULT) private readonly vault: KeyVault,
  ) {}

  async erase(subjectId: string, meta: CommandMetadata): Promise<Erasure> {
    const { tenant } = meta;
    if (!(await knownInTenant(this.db, tenant, subjectId))) throw new NotFoundError('Data subject', subjectId);
    const keysDestroyed = await this.vault.erase(tenant, subjectId);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.transaction(async (tx) => {
          const complaints = await forgetDescriptions(tx, tenant, subjectId);
          await purgeAttachments(tx, tenant, complaints.map(complaintStream));
          for (const complaintId of complaints) {
            const command = { type: 'RecordErasure' as const, data: { complaintId, subjectId } };
            await decideAndAppend(tx, this.store, complaintDecider, complaintStream(complaintId), command, meta);
          }
          return { subjectId, erasedAt: meta.now.toISOString(), keysDestroyed, complaints };
        });
      } catch (error) {
        // A supervisor changed one of the complaints meanwhile: record the erasure again.
        if (!(error instanceof StreamVersionConflict) || attempt >= 5) throw error;
      }
    }
  }
}
