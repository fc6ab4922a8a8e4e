/**
 * docs/asyncapi.yaml checked by the real AsyncAPI CLI (`asyncapi validate`), as a consumer's
 * tooling would read it. Analytics are switched off through the CLI's own config file, so the
 * check needs no network.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const root = join(__dirname, '..', '..');
const cli = join(root, 'node_modules', '.bin', 'asyncapi');
const scratch = mkdtempSync(join(tmpdir(), 'asyncapi-'));
const metricsConfig = join(scratch, 'analytics.json');
writeFileSync(metricsConfig, JSON.stringify({ analyticsEnabled: 'false', infoMessageShown: 'true', userID: 'test' }));

async function validate(file: string) {
  const env = { ...process.env, ASYNCAPI_METRICS_CONFIG_PATH: metricsConfig };
  try {
    const { stdout, stderr } = await promisify(execFile)(cli, ['validate', file, '--fail-severity', 'warn'], { env });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr };
  }
}

describe('docs/asyncapi.yaml', () => {
  it('is a valid AsyncAPI 3 document for the AsyncAPI CLI', async () => {
    const result = await validate(join(root, 'docs', 'asyncapi.yaml'));
    expect(result.output).toMatch(/is valid/);
    expect(result.code).toBe(0);
  });

  it('would be refused by the same check when a message points nowhere', async () => {
    const broken = join(scratch, 'broken.yaml');
    const text = readFileSync(join(root, 'docs', 'asyncapi.yaml'), 'utf8');
    writeFileSync(broken, text.replace("'#/components/messages/case-opened-v1'", "'#/components/messages/nowhere'"));
    const result = await validate(broken);
    expect(result.code).not.toBe(0);
  });
});
