export * from './database';
export * from './event-store';
export * from './command-handler';
export * from './schema';
export * from './hash-chain';
export * from './trace-context';
export * from './process-metric';
export * from './tenant-scope';
