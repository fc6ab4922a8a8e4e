/** Injection tokens of the shared platform providers. */
export const DATABASE = Symbol('DATABASE');
export const TRANSPORT = Symbol('TRANSPORT');
export const CLOCK = Symbol('CLOCK');
export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');
export const EVENT_STORE = Symbol('EVENT_STORE');

/** Where time comes from; tests and the embedded demo can move it. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
