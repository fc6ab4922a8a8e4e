export * from './policy';
export * from './policy-store';
export * from './policy-cache';
export * from './policy-files';
export * from './nest/service-policies';
export * from './nest/policies.controller';
export * from './nest/policies.dto';
