export * from './analytics.module';
export * from './rebuild/rebuild';
