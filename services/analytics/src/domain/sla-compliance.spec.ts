import type { CaseSummary } from './case-summary';
import { slaCompliance } from './kpi-figures';

const at = (day: number) => new Date(Date.UTC(2026, 10, day, 2)).toISOString();
let n = 0;
const summary = (fields: Partial<CaseSummary>): CaseSummary => ({
  complaintId: `00000000-0000-7000-8000-${String(++n).padStart(12, '0')}`,
  tenant: 'bank-a',
  status: 'open',
  caseVersion: 1,
  receivedAt: at(1),
  openedAt: at(1),
  acknowledgedAt: at(1),
  acknowledgeBy: at(2),
  resolveBy: at(16),
  slaClocks: ['acknowledgement', 'resolution', 'follow-up'],
  lastEventAt: at(1),
  eventCount: 2,
  ...fields,
});
const row = (clock: string, cases: CaseSummary[]) => slaCompliance(cases).rows.find((r) => r.clock === clock);

describe('SLA compliance per clock', () => {
  it('is the share of ended clocks that were met: a running clock is reported apart, a breached one is breached', () => {
    const cases = [
      summary({ status: 'resolved', resolvedAt: at(10) }), // met
      summary({ status: 'resolved', resolvedAt: at(12) }), // met
      summary({}), // running, within its time
      summary({ breachedClocks: ['resolution'] }), // breached, still running
      summary({ status: 'resolved', resolvedAt: at(20), breachedClocks: ['resolution'] }), // breached, ended
    ];
    expect(row('resolution', cases)).toEqual({
      clock: 'resolution',
      cases: 5,
      met: 2,
      breached: 2,
      running: 1,
      compliance: 0.5,
    });
  });

  it('leaves out the cases whose follow-up clock never started (not resolved)', () => {
    const cases = [
      summary({}), // never resolved: no follow-up clock
      summary({ status: 'in-progress' }),
      summary({ status: 'closed', resolvedAt: at(10), closedAt: at(12), satisfactionScore: 4 }), // followed up
      summary({ status: 'resolved', resolvedAt: at(10) }), // follow-up clock running
    ];
    expect(row('follow-up', cases)).toEqual({
      clock: 'follow-up',
      cases: 2,
      met: 1,
      breached: 0,
      running: 1,
      compliance: 1,
    });
  });

  it('has no compliance rate while no clock has ended', () => {
    expect(row('resolution', [summary({})])).toMatchObject({ running: 1, compliance: null });
  });
});
