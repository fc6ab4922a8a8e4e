export * from './resolution.module';
export { resolutionPolicyTool } from './infrastructure/policies';
