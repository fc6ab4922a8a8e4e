export * from './sealed';
export * from './subject';
export * from './master-key-ring';
export * from './key-vault';
