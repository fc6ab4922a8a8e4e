export * from './bootstrap';
export * from './config';
export * from './errors';
export * from './eventing';
export * from './health.controller';
export * from './platform.module';
export * from './request-meta';
export * from './tokens';
