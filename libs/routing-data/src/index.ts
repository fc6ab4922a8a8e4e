export * from './documents';
export * from './schemas';
export * from './seeds';
export * from './kinds';
