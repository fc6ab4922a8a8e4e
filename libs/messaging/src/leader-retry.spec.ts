import { KafkaJSProtocolError } from 'kafkajs';
import { untilLeadersServe } from './kafka-transport';

/** kafkajs's own error for a broker's error code, as its protocol decoder builds it. */
const protocolError = (fields: { type: string; code: number; retriable: boolean; message: string }) =>
  new KafkaJSProtocolError(Object.assign(new Error(fields.message), fields));

// What the broker answers for a topic created moments before (code 6).
const notTheLeader = () =>
  protocolError({
    type: 'NOT_LEADER_FOR_PARTITION',
    code: 6,
    retriable: true,
    message: 'This server is not the leader for that topic-partition',
  });

describe('untilLeadersServe (reading offsets of a topic whose partitions are not hosted yet)', () => {
  const quick = { firstWaitMs: 1, maxWaitMs: 2 };

  it('asks again while the broker is not yet the leader, and returns the answer', async () => {
    let calls = 0;
    const answer = await untilLeadersServe(async () => {
      calls++;
      if (calls < 3) throw notTheLeader();
      return [{ partition: 0, high: '4', low: '0' }];
    }, quick);
    expect(answer).toEqual([{ partition: 0, high: '4', low: '0' }]);
    expect(calls).toBe(3);
  });

  it('does not ask again after an error that is not retriable', async () => {
    let calls = 0;
    const refused = protocolError({
      type: 'TOPIC_AUTHORIZATION_FAILED',
      code: 29,
      retriable: false,
      message: 'Not authorized to access topics',
    });
    await expect(
      untilLeadersServe(async () => {
        calls++;
        throw refused;
      }, quick),
    ).rejects.toBe(refused);
    expect(calls).toBe(1);
  });

  it('gives up after its attempts and throws the broker’s last answer', async () => {
    let calls = 0;
    await expect(
      untilLeadersServe(
        async () => {
          calls++;
          throw notTheLeader();
        },
        { ...quick, attempts: 4 },
      ),
    ).rejects.toThrow('not the leader');
    expect(calls).toBe(4);
  });
});
