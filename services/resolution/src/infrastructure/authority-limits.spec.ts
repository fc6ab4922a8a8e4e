import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthorityLimits, LimitsFileError } from './authority-limits';

function limitsDir(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'limits-'));
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return dir;
}
const DEFAULT = { limits: { agent: { CNY: 500 }, supervisor: { CNY: 5000 }, 'department-head': { CNY: 50000 } } };

describe('the limits files', () => {
  it('loads the shipped files: a tenant’s own, and the default for tenants without one', () => {
    const limits = AuthorityLimits.load();
    expect(limits.for('bank-a')).toMatchObject({ source: 'limits/bank-a.json', limits: { agent: { USD: 70 } } });
    expect(limits.for('nobody')).toEqual({ source: 'limits/default.json', limits: DEFAULT.limits });
  });

  it.each([
    [
      'a currency ISO 4217 does not list',
      { limits: { agent: { ABC: 1 } } },
      /limits.agent.ABC: ABC is not an ISO 4217/,
    ],
    ['a testing code', { limits: { agent: { XTS: 1 } } }, /limits.agent.XTS: XTS is not a currency/],
    ['more decimals than the currency has', { limits: { agent: { JPY: 1.5 } } }, /limits.agent.JPY: JPY has 0 decimal/],
    ['a role that is not limited', { limits: { 'complaints-officer': { CNY: 1 } } }, /at limits: Unrecognized key/],
    ['a negative limit', { limits: { agent: { CNY: -1 } } }, /limits.agent.CNY: Number must be greater than 0/],
    [
      'a role above granting less than one below',
      { limits: { agent: { CNY: 500 }, supervisor: { CNY: 100 } } },
      /limits.supervisor.CNY: must be at least the agent's 500 CNY/,
    ],
    [
      'a role above with no limit where one below has one',
      { limits: { agent: { USD: 70 } } },
      /limits.supervisor.USD: must be at least the agent's 70 USD/,
    ],
    ['a file that is not JSON', '{ "limits": ', /bank-b.json is invalid at \(root\): not readable JSON/],
  ])('stops on %s, naming the file and the field', (_what, content, message) => {
    const dir = limitsDir({ 'default.json': DEFAULT, 'bank-b.json': content });
    expect(() => AuthorityLimits.load(dir)).toThrow(LimitsFileError);
    expect(() => AuthorityLimits.load(dir)).toThrow(message);
  });

  it('stops without a default file', () => {
    expect(() => AuthorityLimits.load(limitsDir({ 'bank-b.json': DEFAULT }))).toThrow(/default limits file is missing/);
  });
});
