/** Injection tokens of the shared platform providers. */
export const DATABASE = Symbol('DATABASE');
export const TRANSPORT = Symbol('TRANSPORT');
export const CLOCK = Symbol('CLOCK');
export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');
export const EVENT_STORE = Symbol('EVENT_STORE');
/** The KeyVault sealing and revealing personal data (libs/privacy). */
export const KEY_VAULT = Symbol('KEY_VAULT');

/** Where time comes from; tests and the embedded demo can move it. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
export const TOKEN_VERIFIER = Symbol('TOKEN_VERIFIER');
export const API_KEYS = Symbol('API_KEYS');
