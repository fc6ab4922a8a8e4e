/**
 * Kafka topics of the published language. One topic per producing service keeps every event of a
 * case that one service emits on one partition (the message key is the complaint id).
 */
export const Topics = {
  intake: 'complaints.intake.v1',
  routing: 'complaints.routing.v1',
  resolution: 'complaints.resolution.v1',
  /** Published policy versions (docs/policy.md): every instance of the owning service reloads on one. */
  policy: 'complaints.policy.v1',
} as const;

export type TopicName = (typeof Topics)[keyof typeof Topics];

/** Where a message goes when it cannot be handled: the original topic plus `.dlt`. */
export function deadLetterTopic(topic: string): string {
  return `${topic}.dlt`;
}

/**
 * An optional prefix isolates environments (and test runs) that share one broker. Prefix and name
 * are joined by exactly one dot: `eco` and `eco.` both give `eco.complaints.intake.v1` (and the
 * consumer group `eco.routing`), as operators write it either way.
 */
export function prefixed(prefix: string, topic: string): string {
  const stem = prefix.replace(/\.+$/, '');
  return stem ? `${stem}.${topic}` : topic;
}
