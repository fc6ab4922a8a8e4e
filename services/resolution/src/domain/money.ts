/**
 * Money as ISO 4217 has it. The codes and each currency's minor units come from `currency-codes`
 * (ISO's list one, kept up to date by its maintainers), not a hand list: ICU's list behind
 * `Intl.supportedValuesOf('currency')` leaves out fund and metal codes and its digits are CLDR's
 * display digits, which differ from ISO's minor units for some currencies (IQD 0 there, 3 here).
 */
import { code as iso4217 } from 'currency-codes';

/** Codes ISO assigns to no money: XXX (no currency involved) and XTS (reserved for testing). */
const NOT_MONEY = new Set(['XXX', 'XTS']);

export const isIso4217 = (currency: string): boolean => iso4217(currency)?.code === currency;

/** Decimal places written in a number, exponent forms included (1e-7 has 7). */
export function decimalPlaces(amount: number): number {
  const [mantissa = '', exponent = '0'] = String(amount).split('e');
  return Math.max(0, (mantissa.split('.')[1] ?? '').length - Number(exponent));
}

/** Why an amount cannot be granted in a currency (naming the rule), or undefined when it can. */
export function moneyRefusal(amount: number, currency: string): string | undefined {
  const entry = iso4217(currency);
  if (!entry || entry.code !== currency) return `${currency} is not an ISO 4217 currency code`;
  if (NOT_MONEY.has(currency)) return `${currency} is not a currency (ISO 4217: ${entry.currency})`;
  const places = decimalPlaces(amount);
  if (places > entry.digits) {
    return `${currency} has ${entry.digits} decimal places (ISO 4217): ${amount} has ${places}`;
  }
  return undefined;
}

/** Why a limit table entry is unusable: a limit is money too. */
export const limitRefusal = (limit: number, currency: string): string | undefined =>
  NOT_MONEY.has(currency) ? `${currency} is not a currency` : moneyRefusal(limit, currency);
