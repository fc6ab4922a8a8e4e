/**
 * The headers a dead-lettered message carries beside its original ones (its value and headers are
 * kept as they were). One list, so what writes them (the relay, consumers), what reads them (a
 * replay) and what documents them (the AsyncAPI catalogue) cannot drift apart.
 */
export const DEAD_LETTER_HEADER_NAMES = {
  /** Why it was dead-lettered: the contract violation or the handler's last error (at most 4000 characters). */
  reason: 'dlt-reason',
  /** The topic it was published to, or was to be published to. */
  originalTopic: 'dlt-original-topic',
  /** Its partition there (a consumer's dead letter only). */
  originalPartition: 'dlt-original-partition',
  /** Its offset there (a consumer's dead letter only). */
  originalOffset: 'dlt-original-offset',
  /** The consumer group that gave up on it, or `outbox-relay` when the relay would not publish it. */
  consumerGroup: 'dlt-consumer-group',
  /** How many times the handler was tried; 0 when the contract refused it (a consumer's only). */
  attempts: 'dlt-attempts',
  /** The stored event's global position in the source service's events table (the relay's only). */
  storedPosition: 'dlt-stored-position',
  /** When it was dead-lettered (ISO 8601). */
  failedAt: 'dlt-failed-at',
} as const;

/** Marks a message that `npm run dlt -- replay` re-published: `<dlt topic>/<partition>/<offset>`. */
export const REPLAYED_FROM_HEADER = 'dlt-replayed-from';
