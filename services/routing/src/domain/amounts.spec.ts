import { amountsIn } from './amounts';

describe('reading amounts at stake', () => {
  it.each([
    ['被盗刷了¥5000', { currency: 'CNY', value: 5000 }],
    ['扣了我5000元', { currency: 'CNY', value: 5000 }],
    ['损失2.5万元', { currency: 'CNY', value: 25000 }],
    ['transferred RMB 80,000', { currency: 'CNY', value: 80000 }],
    ['charged $300 twice', { currency: 'USD', value: 300 }],
    ['about 450 dollars', { currency: 'USD', value: 450 }],
    ['£3,000 below market value', { currency: 'GBP', value: 3000 }],
  ])('reads "%s"', (text, amount) => {
    expect(amountsIn(text)).toContainEqual(expect.objectContaining(amount));
  });

  it('finds nothing in text without a currency', () => {
    expect(amountsIn('三笔交易，等了12周')).toEqual([]);
  });
});
