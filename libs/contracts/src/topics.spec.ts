import { deadLetterTopic, prefixed, Topics } from './topics';

describe('topic and consumer group prefixes (TOPIC_PREFIX)', () => {
  it('joins prefix and name with exactly one dot, whether the prefix ends in one or not', () => {
    expect(prefixed('eco.', Topics.intake)).toBe('eco.complaints.intake.v1');
    expect(prefixed('eco', Topics.intake)).toBe('eco.complaints.intake.v1');
    expect(prefixed('eco..', 'routing')).toBe('eco.routing');
    expect(prefixed('eco.', 'routing')).toBe(prefixed('eco', 'routing'));
  });

  it('leaves names alone without a prefix', () => {
    expect(prefixed('', Topics.routing)).toBe('complaints.routing.v1');
    expect(prefixed('.', Topics.routing)).toBe('complaints.routing.v1');
    expect(deadLetterTopic(prefixed('eco.', Topics.routing))).toBe('eco.complaints.routing.v1.dlt');
  });
});
