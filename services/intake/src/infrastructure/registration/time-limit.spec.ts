import type { ComplaintDetails } from '../../domain/complaint';
import { SlaCatalogue } from '@complaints/sla';
import { timeLimitFor } from './time-limit';

const catalogue = new SlaCatalogue();

const details = (language: string): ComplaintDetails => ({
  channel: 'web',
  complainant: { name: 'Ms Chan', contact: { phone: '85290000000' } },
  description: 'The card fee was charged twice.',
  demands: [],
  target: { kind: 'bill', name: 'Card fee' },
  occurredAt: '2026-11-20T10:00:00+08:00',
  language,
});
const receivedAt = new Date('2026-11-23T02:00:00.000Z');
const messageIn = (language: string) =>
  timeLimitFor(catalogue, 'bank-a', details(language), 'CMP-2026-000042', receivedAt).message;

describe('the time limit told to the customer', () => {
  it.each(['zh-Hant', 'zh-TW', 'zh-HK', 'zh-Hant-HK', 'zh-MO'])('is in Traditional Chinese for %s', (language) => {
    expect(messageIn(language)).toMatch(
      /^您的投訴已受理，編號 CMP-2026-000042。我們將於 .+當日結束前（Asia\/Shanghai 時間）答覆您。$/,
    );
  });

  it.each(['zh', 'zh-CN', 'zh-Hans', 'zh-Hans-CN', 'zh-SG'])('is in Simplified Chinese for %s', (language) => {
    expect(messageIn(language)).toMatch(
      /^您的投诉已受理，编号 CMP-2026-000042。我们将于 .+当日结束前（Asia\/Shanghai 时间）答复您。$/,
    );
  });

  it.each(['en', 'en-GB', 'fr'])('is in English otherwise (%s)', (language) => {
    expect(messageIn(language)).toMatch(
      /^Your complaint is registered as CMP-2026-000042\. We will respond on or before .+ \(end of day, Asia\/Shanghai\)\.$/,
    );
  });
});

describe('the date told to the customer', () => {
  it('is the earliest binding date: a regulator’s earlier deadline wins, named as the referral’s clock', () => {
    const regulatorDeadline = '2026-11-27T10:00:00.000Z';
    const limit = timeLimitFor(
      catalogue,
      'bank-a',
      {
        ...details('en'),
        channel: 'regulator',
        regulatorDeadline,
        channelDetails: { regulator: 'NFRA', regulatorReference: 'R-1' },
      },
      'CMP-2026-000043',
      receivedAt,
    );
    expect(limit).toMatchObject({ respondBy: regulatorDeadline, clock: 'regulatory', clockId: 'referral/regulatory' });
    expect(limit.message).toBe(
      'Your complaint is registered as CMP-2026-000043. We will respond on or before 27 November 2026, 18:00 (Asia/Shanghai).',
    );
  });

  it('is the tenant’s own date otherwise, at the end of that day in the tenant’s zone', () => {
    const limit = timeLimitFor(catalogue, 'bank-a', details('zh-CN'), 'CMP-2026-000044', receivedAt);
    expect(limit).toMatchObject({
      respondBy: '2026-12-08T15:59:59.999Z',
      clock: 'resolution',
      clockId: 'default/resolution',
    });
    expect(limit.message).toBe(
      '您的投诉已受理，编号 CMP-2026-000044。我们将于 2026年12月8日当日结束前（Asia/Shanghai 时间）答复您。',
    );
  });
});
