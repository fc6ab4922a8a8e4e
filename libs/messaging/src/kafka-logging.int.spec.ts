import { KafkaTransport, type TransportLog } from './index';

describe("kafkajs's own log lines", () => {
  it('go to the service logger (pino in a service) as structured fields, not to the console as kafkajs JSON', async () => {
    const lines: { level: string; fields: Record<string, unknown> }[] = [];
    const capture =
      (level: string) =>
      (fields: Record<string, unknown>): void => {
        lines.push({ level, fields });
      };
    const log: TransportLog = {
      error: capture('error'),
      warn: capture('warn'),
      log: capture('log'),
      debug: capture('debug'),
    };
    const printed: unknown[] = [];
    const console_ = jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void printed.push(args));
    // A broker nobody listens on: kafkajs logs its connection error at ERROR, once (no retries here).
    const transport = new KafkaTransport({ brokers: ['127.0.0.1:1'], clientId: 'log-test', log, retries: 0 });
    try {
      await expect(transport.ping()).rejects.toThrow();
    } finally {
      console_.mockRestore();
      await transport.close();
    }
    expect(lines).toContainEqual({
      level: 'error',
      fields: expect.objectContaining({
        message: expect.stringMatching(/Connection error/),
        namespace: 'Connection',
        broker: '127.0.0.1:1',
      }),
    });
    expect(printed).toEqual([]);
  });
});

describe('a routine rebalance', () => {
  it('is logged at info, not at error or warn: members joining and leaving a group are no fault', async () => {
    const { requireEnv, uniqueSuffix } = await import('../../../test/support/database');
    const lines: { level: string; fields: Record<string, unknown> }[] = [];
    const capture =
      (level: string) =>
      (fields: Record<string, unknown>): void => {
        lines.push({ level, fields });
      };
    const log: TransportLog = {
      error: capture('error'),
      warn: capture('warn'),
      log: capture('log'),
      debug: capture('debug'),
    };
    const brokers = requireEnv('KAFKA_BROKERS').split(',');
    const topic = `rebalance-log-${uniqueSuffix()}`;
    const groupId = `g-${topic}`;
    const options = { brokers, log, partitions: 4, sessionTimeout: 6000, heartbeatInterval: 500 };
    const first = new KafkaTransport({ ...options, clientId: 'rebalance-a' });
    const second = new KafkaTransport({ ...options, clientId: 'rebalance-b' });
    try {
      await first.ensureTopics([topic]);
      const received: string[] = [];
      const onMessage = async (m: { value: string }) => void received.push(m.value);
      const a = await first.subscribe({ groupId, topics: [topic], onMessage });
      await first.publish([{ topic, key: 'k0', value: 'before', headers: {} }]);
      for (let i = 0; i < 100 && !received.includes('before'); i++) await new Promise((r) => setTimeout(r, 100));
      // A second member joins (the first must rejoin: a rebalance), then leaves (another one).
      const b = await second.subscribe({ groupId, topics: [topic], onMessage });
      await new Promise((r) => setTimeout(r, 8000));
      await b.stop();
      await new Promise((r) => setTimeout(r, 4000));
      await a.stop();
      expect(received).toContain('before');
    } finally {
      await first.close();
      await second.close();
    }
    const rebalance = /rebalanc|re-?join|not aware of this member|generation/i;
    const said = (l: { fields: Record<string, unknown> }) =>
      rebalance.test(`${String(l.fields.message)} ${String(l.fields.error)}`);
    expect(lines.filter((l) => (l.level === 'error' || l.level === 'warn') && said(l))).toEqual([]);
    expect(lines.filter((l) => l.level === 'log' && said(l)).length).toBeGreaterThan(0);
  }, 60_000);
});
