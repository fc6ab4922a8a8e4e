export * from './database';
export * from './event-store';
export * from './command-handler';
export * from './schema';
export * from './hash-chain';
