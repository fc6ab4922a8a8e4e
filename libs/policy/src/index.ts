export * from './policy';
export * from './policy-store';
export * from './policy-cache';
