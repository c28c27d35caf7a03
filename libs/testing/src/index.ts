export * from './test-database';
export * from './mqtt-broker';
export * from './shared-data';
export * from './provided';
export * from './expect-with-message';
