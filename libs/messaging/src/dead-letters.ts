/**
 * Dead letters listed and replayed to their topic after a fix (`npm run dlt`). Written against the
 * Transport port, so the Kafka and the embedded bus behave alike.
 *
 * Idempotence: the replayed message itself is the record. It carries `dlt-replayed-from:
 * <dlt topic>/<partition>/<offset>`, and a replay first reads the topic's history for those headers
 * and skips what is there. No second store can disagree with what was published, and a replay that
 * died half-way is simply run again. The price is one read of the topic per replay, and a dead
 * letter whose replayed copy has aged out of the topic's retention would be replayed again.
 */
import { deadLetterTopic, REPLAYED_FROM_HEADER } from '@complaints/contracts';
import { DEAD_LETTER_HEADERS } from './dead-letter-headers';
import type { IncomingMessage, Transport } from './transport';

export { REPLAYED_FROM_HEADER };

export interface DeadLetter {
  /** `<partition>/<offset>` in the dead-letter topic: what `replay --ids` takes. */
  id: string;
  key: string;
  reason: string | undefined;
  failedAt: string | undefined;
  consumerGroup: string | undefined;
  replayed: boolean;
  message: IncomingMessage;
}

async function readAll(transport: Transport, topic: string): Promise<IncomingMessage[]> {
  const reader = await transport.history([topic]);
  const messages: IncomingMessage[] = [];
  await reader.read(async (batch) => void messages.push(...batch));
  return messages;
}

const idOf = (message: IncomingMessage) => `${message.partition}/${message.offset}`;

/** The dead letters of `topic` (the original topic's name), oldest first per partition. */
export async function listDeadLetters(
  transport: Transport,
  topic: string,
  options: { since?: Date } = {},
): Promise<DeadLetter[]> {
  const dlt = deadLetterTopic(topic);
  const [dead, original] = await Promise.all([readAll(transport, dlt), readAll(transport, topic)]);
  const replayed = new Set(original.map((m) => m.headers[REPLAYED_FROM_HEADER]).filter(Boolean));
  return dead
    .map((message) => ({
      id: idOf(message),
      key: message.key,
      reason: message.headers[DEAD_LETTER_HEADERS.reason],
      failedAt: message.headers[DEAD_LETTER_HEADERS.failedAt],
      consumerGroup: message.headers[DEAD_LETTER_HEADERS.consumerGroup],
      replayed: replayed.has(`${dlt}/${idOf(message)}`),
      message,
    }))
    .filter((d) => !options.since || !d.failedAt || new Date(d.failedAt) >= options.since);
}

/**
 * The embedded bus shows a message in its history only once every older transaction on the server
 * has ended; until then a second replay would not see the first and publish again. So a replay
 * returns only once its copies are seen.
 */
async function untilVisible(transport: Transport, topic: string, ids: string[], timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const replayed = new Set((await listDeadLetters(transport, topic)).filter((d) => d.replayed).map((d) => d.id));
    if (ids.every((id) => replayed.has(id))) return;
    if (Date.now() > deadline) {
      throw new Error(`replayed ${ids.join(', ')} but the bus does not show them yet: list before replaying again`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

export interface ReplayResult {
  replayed: string[];
  alreadyReplayed: string[];
  unknown: string[];
}

/**
 * Publishes the chosen dead letters (`ids`, or all when absent) to their original topic: same key
 * and value, the original headers without the `dlt-*` ones, plus `dlt-replayed-from`.
 */
export async function replayDeadLetters(transport: Transport, topic: string, ids?: string[]): Promise<ReplayResult> {
  const dlt = deadLetterTopic(topic);
  const letters = await listDeadLetters(transport, topic);
  const byId = new Map(letters.map((d) => [d.id, d]));
  const chosen = ids ? ids.map((id) => byId.get(id)).filter((d): d is DeadLetter => d !== undefined) : letters;
  const unknown = ids ? ids.filter((id) => !byId.has(id)) : [];
  const pending = chosen.filter((d) => !d.replayed);
  await transport.publish(
    pending.map(({ id, message }) => ({
      topic: message.headers[DEAD_LETTER_HEADERS.originalTopic] ?? topic,
      key: message.key,
      value: message.value,
      headers: {
        ...Object.fromEntries(Object.entries(message.headers).filter(([name]) => !name.startsWith('dlt-'))),
        [REPLAYED_FROM_HEADER]: `${dlt}/${id}`,
      },
    })),
  );
  await untilVisible(
    transport,
    topic,
    pending.map((d) => d.id),
  );
  return {
    replayed: pending.map((d) => d.id),
    alreadyReplayed: chosen.filter((d) => d.replayed).map((d) => d.id),
    unknown,
  };
}
