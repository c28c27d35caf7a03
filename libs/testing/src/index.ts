export * from './test-database';
export * from './mqtt-broker';
