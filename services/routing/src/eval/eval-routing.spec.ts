/**
 * The floor under the routing evaluation (docs/routing-eval.md): the shipped rule tables, run the
 * way the service runs them on the independent corpus, may only get better. The floors live in
 * test/fixtures/routing-corpus/floor.json; EVAL_ROUTING_FLOOR_FILE points at another file to show
 * the test failing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RoutingData } from '../infrastructure/rule-files';
import { CORPUS_DIR, evaluateRouting, TENANT_OF_SECTOR } from './evaluate';

const floorFile = process.env.EVAL_ROUTING_FLOOR_FILE ?? join(CORPUS_DIR, 'floor.json');
const floor = JSON.parse(readFileSync(floorFile, 'utf8')) as Record<
  'categoryAccuracy' | 'degreeAccuracy' | 'priorityAccuracy',
  number
>;
const evaluation = evaluateRouting();
const percent = (x: number) => Math.round(1000 * x) / 10;

describe('the routing rules on the independent corpus', () => {
  it('evaluates every complaint of the three sectors with its tenant table', () => {
    expect(evaluation.overall.complaints).toBe(366);
    expect(Object.keys(evaluation.sectors).sort()).toEqual(['bank', 'insurance', 'power']);
    expect(evaluation.sectors.bank!.ruleTable).toBe('default.json < bank-a.json');
    expect(evaluation.sectors.power!.ruleTable).toBe('default.json < grid-east.json');
    expect(evaluation.sectors.insurance!.ruleTable).toBe('default.json < insurer-x.json');
  });

  it('has a rule for every category of the taxonomy the corpus uses', () => {
    const lacking = Object.values(evaluation.sectors).flatMap((s) =>
      s.categories.filter((c) => c.support > 0 && !c.hasRule).map((c) => c.category),
    );
    expect(lacking).toEqual([]);
  });

  it('counts categories the rules lack as misses, not as absent', () => {
    const shipped = RoutingData.load();
    const bank = shipped.tableFor('bank-a');
    const withoutPayments = new RoutingData(
      new Map(
        Object.values(TENANT_OF_SECTOR).map((tenant) => {
          const table =
            tenant === 'bank-a'
              ? { ...bank, rules: bank.rules.filter((r) => r.category !== 'payments') }
              : shipped.tableFor(tenant);
          return [tenant, { table, directory: shipped.directoryFor(tenant) }];
        }),
      ),
    );
    const payments = evaluateRouting(undefined, withoutPayments).sectors.bank!.categories.find(
      (c) => c.category === 'bank/payments',
    );
    expect(payments).toMatchObject({ hasRule: false, support: 15, correct: 0, recall: 0 });
  });

  it('keeps category accuracy at or above its floor', () => {
    expect(percent(evaluation.overall.categoryAccuracy)).toBeGreaterThanOrEqual(floor.categoryAccuracy);
  });

  it('keeps degree accuracy at or above its floor', () => {
    expect(percent(evaluation.overall.degree.accuracy)).toBeGreaterThanOrEqual(floor.degreeAccuracy);
  });

  it('keeps priority accuracy at or above its floor', () => {
    expect(percent(evaluation.overall.priority.accuracy)).toBeGreaterThanOrEqual(floor.priorityAccuracy);
  });
});
