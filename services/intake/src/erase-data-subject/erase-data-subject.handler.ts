/**
 * Erasure of a data subject (GDPR art. 17, PIPL art. 47) by crypto-shredding: the subject's data
 * keys are destroyed first, so every sealed copy — in this event store, on the topics, in other
 * services' projections — is unreadable from that moment; then, in one transaction, the plain
 * copies intake keeps for matching are emptied, evidence only this subject filed is deleted, and
 * each complaint records `ComplainantErased` (published as complainant.erased.v1). The events stay
 * and their hash chains still verify: they only ever held ciphertext. A repeat is harmless.
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
import { forgetDescriptions } from '../register-complaint/customer-history';

export interface Erasure {
  subjectId: string;
  erasedAt: string;
  /** Data keys destroyed by this request (0 when the subject was already erased). */
  keysDestroyed: number;
  complaints: string[];
}

/** Deletes the evidence filed with these complaints that no other complaint refers to. */
async function purgeAttachments(tx: SqlClient, streams: string[]): Promise<void> {
  await tx.query(
    `DELETE FROM attachments a
      USING (SELECT DISTINCT jsonb_array_elements(data->'attachments')->>'sha256' AS sha256
               FROM events WHERE type = 'ComplaintReceived' AND stream_id = ANY($1::text[])) mine
      WHERE a.sha256 = mine.sha256
        AND NOT EXISTS (SELECT 1 FROM events e
                         WHERE e.type = 'ComplaintReceived' AND NOT (e.stream_id = ANY($1::text[]))
                           AND e.data->'attachments' @> jsonb_build_array(jsonb_build_object('sha256', a.sha256)))`,
    [streams],
  );
}

@Injectable()
export class EraseDataSubjectHandler {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(KEY_VAULT) private readonly vault: KeyVault,
  ) {}

  async erase(subjectId: string, meta: CommandMetadata): Promise<Erasure> {
    const keysDestroyed = await this.vault.erase(subjectId);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.transaction(async (tx) => {
          const complaints = await forgetDescriptions(tx, subjectId);
          if (complaints.length === 0 && keysDestroyed === 0) throw new NotFoundError('Data subject', subjectId);
          await purgeAttachments(tx, complaints.map(complaintStream));
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
