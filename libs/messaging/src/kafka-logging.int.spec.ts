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
