export * from './config';
export * from './config-docs';
export * from './secrets';
export * from './variables';
