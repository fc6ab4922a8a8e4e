/** `npm run dlt` as an operator runs it (the built CLI) against the real broker. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { KafkaTransport } from '@complaints/messaging';
import { requireEnv, uniqueSuffix } from '../support/database';

const cli = join(__dirname, '..', '..', 'libs', 'kit', 'dist', 'dlt-cli.js');

async function dlt(...args: string[]) {
  try {
    const { stdout, stderr } = await promisify(execFile)('node', [cli, ...args], { env: process.env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('npm run dlt', () => {
  const transport = new KafkaTransport({ brokers: requireEnv('KAFKA_BROKERS').split(','), clientId: 'dlt-e2e' });
  const topic = `dlt-e2e-${uniqueSuffix()}`;
  afterAll(() => transport.close());

  it('lists a dead letter, replays it once however often asked, and refuses bad usage', async () => {
    await transport.ensureTopics([topic]);
    const headers = { 'dlt-reason': 'boom', 'dlt-original-topic': topic, 'dlt-failed-at': new Date().toISOString() };
    await transport.publish([{ topic: `${topic}.dlt`, key: 'k1', value: '{}', headers }]);

    const listed = await dlt('list', topic);
    expect(listed.stdout).toMatch(/^\d+\/0\tpending\t.*\tk1\tboom$/m);
    const id = listed.stdout.split('\t')[0]!;

    expect((await dlt('replay', topic, '--all')).stdout).toContain(`replayed 1: ${id}`);
    const again = await dlt('replay', topic, '--ids', id);
    expect(again.stdout).toContain('replayed 0: none');
    expect(again.stdout).toContain(`already replayed: ${id}`);
    expect((await dlt('list', topic)).stdout).toMatch(/\treplayed\t/);

    const bad = await dlt('replay', topic);
    expect(bad).toMatchObject({ code: 2, stderr: expect.stringContaining('either --ids or --all') });
    expect(await dlt('list', topic, '--since', 'yesterday')).toMatchObject({ code: 2 });
  }, 120_000);
});
