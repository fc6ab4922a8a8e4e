import { evolveSummary, type SummaryInput } from './case-summary';

const id = '0190a1b2-0000-7000-8000-000000000001';
const ev = (type: string, time: string, data: Record<string, unknown>): SummaryInput => ({
  type,
  subject: id,
  tenant: 't',
  time,
  data,
});
const received = ev('complaint.received.v1', '2026-03-01T08:00:00.000Z', {
  reference: 'CMP-2026-000001',
  channel: 'hotline',
  receivedAt: '2026-03-01T08:00:00.000Z',
});
const routed = ev('complaint.routed.v1', '2026-03-01T08:00:01.000Z', {
  department: 'metering',
  priority: 'normal',
  routedAt: '2026-03-01T08:00:01.000Z',
});
const opened = ev('case.opened.v1', '2026-03-01T08:00:02.000Z', {
  department: 'metering',
  resolveBy: '2026-03-16T08:00:02.000Z',
  openedAt: '2026-03-01T08:00:02.000Z',
});

describe('the case summary projection', () => {
  it('follows a case from received to open', () => {
    const summary = [received, routed, opened].reduce(evolveSummary, undefined as never);
    expect(summary).toMatchObject({
      status: 'open',
      reference: 'CMP-2026-000001',
      channel: 'hotline',
      department: 'metering',
      eventCount: 3,
      lastEventAt: '2026-03-01T08:00:02.000Z',
    });
  });

  it('does not move the status backwards when topics deliver out of order', () => {
    const summary = [opened, received, routed].reduce(evolveSummary, undefined as never);
    expect(summary).toMatchObject({
      status: 'open',
      reference: 'CMP-2026-000001',
      department: 'metering',
      eventCount: 3,
    });
  });
});
