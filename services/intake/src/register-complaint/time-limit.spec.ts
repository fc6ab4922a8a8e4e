import type { ComplaintDetails } from '../domain/complaint';
import { timeLimitFor } from './time-limit';

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
  timeLimitFor('bank-a', details(language), 'CMP-2026-000042', receivedAt).message;

describe('the time limit told to the customer', () => {
  it.each(['zh-Hant', 'zh-TW', 'zh-HK', 'zh-Hant-HK', 'zh-MO'])('is in Traditional Chinese for %s', (language) => {
    expect(messageIn(language)).toMatch(
      /^您的投訴已受理，編號 CMP-2026-000042。我們將於 .+ 當日或之前答覆您（以 Asia\/Shanghai 時間當日結束為限）。$/,
    );
  });

  it.each(['zh', 'zh-CN', 'zh-Hans', 'zh-Hans-CN', 'zh-SG'])('is in Simplified Chinese for %s', (language) => {
    expect(messageIn(language)).toMatch(
      /^您的投诉已受理，编号 CMP-2026-000042。我们将于 .+ 当日或之前答复您（以 Asia\/Shanghai 时间当日结束为限）。$/,
    );
  });

  it.each(['en', 'en-GB', 'fr'])('is in English otherwise (%s)', (language) => {
    expect(messageIn(language)).toMatch(
      /^Your complaint is registered as CMP-2026-000042\. We will respond on or before .+ \(end of day, Asia\/Shanghai\)\.$/,
    );
  });
});
