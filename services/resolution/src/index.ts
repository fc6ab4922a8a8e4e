export * from './resolution.module';
