export * from './vocabularies';
export * from './envelope';
export * from './events';
export * from './topics';
export * from './validate';
export * from './cloudevents';
export * from './dead-letter-headers';
