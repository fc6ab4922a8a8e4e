export * from './analytics.module';
export * from './rebuild/rebuild';
export { EXPORT_COLUMNS } from './read-models/audit/case-search';
