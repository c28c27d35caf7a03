export * from './test-database';
export * from './shared-data';
