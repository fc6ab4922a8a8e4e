import { BadRequestException } from '@nestjs/common';
import type { HotlineCallDto } from './channel.dto';
import { CALL_CLOCK_SKEW_MS, hotlineToComplaint } from './hotline';

const now = new Date('2026-11-22T02:00:00.000Z');
const call = (callStartedAt: string, more: Partial<HotlineCallDto> = {}): HotlineCallDto => ({
  hotline: '95598',
  callId: 'CALL-1',
  callerNumber: '13912345678',
  agentId: 'A-1042',
  agentNotes: '停电未提前通知',
  callStartedAt,
  ...more,
});

describe('a hotline call record as a complaint', () => {
  it('is received when the call started, and happened then unless the record says otherwise', () => {
    const details = hotlineToComplaint(call('2026-11-22T09:15:00+08:00'), now);
    expect(details).toMatchObject({ receivedAt: '2026-11-22T01:15:00.000Z', occurredAt: '2026-11-22T01:15:00.000Z' });
    const earlier = hotlineToComplaint(
      call('2026-11-22T09:15:00+08:00', { occurredAt: '2026-11-20T19:00:00+08:00' }),
      now,
    );
    expect(earlier).toMatchObject({ receivedAt: '2026-11-22T01:15:00.000Z', occurredAt: '2026-11-20T19:00:00+08:00' });
  });

  it('takes a CTI clock up to 5 minutes ahead as now', () => {
    const ahead = new Date(now.getTime() + CALL_CLOCK_SKEW_MS).toISOString();
    expect(hotlineToComplaint(call(ahead), now).receivedAt).toBe(now.toISOString());
  });

  it('refuses a call that starts later than that, naming callStartedAt', () => {
    const later = new Date(now.getTime() + CALL_CLOCK_SKEW_MS + 1).toISOString();
    const refusal = (() => {
      try {
        hotlineToComplaint(call(later), now);
      } catch (error) {
        return error;
      }
    })();
    expect(refusal).toBeInstanceOf(BadRequestException);
    expect(JSON.stringify((refusal as BadRequestException).getResponse())).toContain('"field":"callStartedAt"');
  });

  it('carries the supply area and market the CTI record gives, for the SLA rules that choose by them', () => {
    const complaint = hotlineToComplaint(call('2026-11-22T01:00:00.000Z', { area: 'remote', market: 'CN' }), now);
    expect(complaint).toMatchObject({ area: 'remote', market: 'CN' });
    expect(hotlineToComplaint(call('2026-11-22T01:00:00.000Z'), now)).not.toHaveProperty('area');
  });
});
