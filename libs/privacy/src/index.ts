export * from './sealed';
export * from './subject';
export * from './key-vault';
