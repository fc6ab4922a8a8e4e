/**
 * The shipped rule tables against a corpus of realistic complaints (domain/corpus/complaints.json):
 * at least 90% must reach the department a supervisor would pick, every miss must go to triage
 * rather than silently to a wrong department, and every decision must explain itself.
 */
import { CHANNELS } from '@complaints/contracts';
import corpus from '../domain/corpus/complaints.json';
import { classify } from '../domain/classify';
import { RoutingData } from './rule-files';

const data = RoutingData.load();
/** Only the contracts' channels reach routing: an item on another is a corpus error. */
const channelOf = (channel: string) => {
  const known = CHANNELS.find((c) => c === channel);
  if (!known) throw new Error(`corpus channel "${channel}" is not one of ${CHANNELS.join(', ')}`);
  return known;
};
const results = corpus.complaints.map((item, index) => {
  const routed = classify(
    { complaintId: `corpus-${index}`, reference: `CORPUS-${index}`, ...item, channel: channelOf(item.channel) },
    data.tableFor(item.tenant),
  );
  return { ...item, index, routed };
});
const agreed = results.filter((r) => r.routed.department === r.expected);
const misses = results.filter((r) => r.routed.department !== r.expected);

describe('the shipped rule tables on the corpus', () => {
  afterAll(() => {
    const rate = ((100 * agreed.length) / results.length).toFixed(1);
    const confusion = misses.map(
      (m) =>
        `  #${m.index} [${m.tenant}] expected ${m.expected}, got ${m.routed.department}: ${m.description.slice(0, 60)}`,
    );
    // The confusion is printed so a change to the tables shows what it moved.
    process.stdout.write(`corpus agreement ${agreed.length}/${results.length} = ${rate}%\n${confusion.join('\n')}\n`);
  });

  it('holds at least 80 complaints in Chinese and English from the three sectors', () => {
    expect(results.length).toBeGreaterThanOrEqual(80);
    expect(new Set(results.map((r) => r.tenant))).toEqual(new Set(['grid-east', 'bank-a', 'insurer-x']));
    expect(results.some((r) => /[\u4e00-\u9fff]/.test(r.description))).toBe(true);
    expect(results.some((r) => /^[\x20-\x7e]+$/.test(r.description))).toBe(true);
  });

  it('routes at least 90% to the department a supervisor would pick', () => {
    expect(agreed.length / results.length).toBeGreaterThanOrEqual(0.9);
  });

  it('sends the rest to triage, never silently to a wrong department', () => {
    expect(misses.map((m) => ({ index: m.index, department: m.routed.department }))).toEqual(
      misses.map((m) => ({ index: m.index, department: 'triage' })),
    );
  });

  it('explains every decision with the rules that fired', () => {
    for (const { routed } of results) {
      expect(routed.explanation.length).toBeGreaterThan(0);
      if (routed.ruleId) {
        expect(routed.explanation).toContainEqual(
          expect.objectContaining({ ruleId: routed.ruleId, kind: 'classification' }),
        );
      }
    }
  });
});
