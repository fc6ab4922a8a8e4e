import type { ComplaintDetails } from '../../domain/complaint';
import { sealPersonalData, subjectIdentity } from './personal-data';

const details: ComplaintDetails = {
  channel: 'hotline',
  complainant: { name: '王女士', customerId: 'C-42', contact: { phone: '138-0000-0000', email: 'Wang@Example.org' } },
  description: '电表计量不准',
  demands: ['校验电表', '退还多收电费'],
  target: { kind: 'meter', name: '电能表 3301-778' },
  occurredAt: '2026-03-01T02:00:00.000Z',
  language: 'zh',
  channelDetails: { hotline: '95598', callId: 'call-1', callerNumber: '13800000000', agentId: 'a-7' },
  attachments: [{ sha256: 'a'.repeat(64), filename: 'wang-id-card.png', mediaType: 'image/png', size: 10 }],
};

describe('the personal data of a complaint', () => {
  it('seals the complainant, the free text, personal channel details and file names; keeps the rest', () => {
    const sealed = sealPersonalData(details, 'ds-1', (plain) => `<${plain}>`);
    expect(sealed).toEqual({
      ...details,
      complainant: {
        name: '<王女士>',
        customerId: '<C-42>',
        subjectId: 'ds-1',
        contact: { phone: '<138-0000-0000>', email: '<Wang@Example.org>' },
      },
      description: '<电表计量不准>',
      demands: ['<校验电表>', '<退还多收电费>'],
      channelDetails: { hotline: '95598', callId: 'call-1', callerNumber: '<13800000000>', agentId: 'a-7' },
      attachments: [{ sha256: 'a'.repeat(64), filename: '<wang-id-card.png>', mediaType: 'image/png', size: 10 }],
    });
  });

  it('knows the subject by customer id, else phone digits, else email, else the complaint alone', () => {
    const { customerId: _, ...withoutId } = details.complainant;
    const byPhone = { ...details, complainant: withoutId };
    const byEmail = { ...details, complainant: { name: 'x', contact: { email: ' Wang@Example.org ' } } };
    const byAddress = { ...details, complainant: { name: 'x', contact: { address: 'Road 1' } } };
    expect(subjectIdentity(details, 'c-1')).toBe('id:C-42');
    expect(subjectIdentity(byPhone, 'c-1')).toBe('phone:13800000000');
    expect(subjectIdentity(byEmail, 'c-1')).toBe('email:wang@example.org');
    expect(subjectIdentity(byAddress, 'c-1')).toBe('complaint:c-1');
  });
});
