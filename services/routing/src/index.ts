export * from './routing.module';
export { routingPolicyTool } from './infrastructure/policies';
