export * from './roles';
export * from './principal';
export * from './auth-config';
export * from './token-verifier';
export * from './api-keys';
export * from './decorators';
export * from './auth.guard';
export * from './dev-keys';
