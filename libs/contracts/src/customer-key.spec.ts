import { pseudonymousCustomerId } from './events';

describe('the customer key consumers see', () => {
  it('is the pseudonymous subject id, and only when the complainant gave a customer id', () => {
    expect(pseudonymousCustomerId({ customerId: 'pii:v1:sealed', subjectId: 'ds-1' })).toBe('ds-1');
    expect(pseudonymousCustomerId({ subjectId: 'ds-1' })).toBeUndefined();
    expect(pseudonymousCustomerId({ customerId: 'C-1' })).toBe('C-1');
  });
});
