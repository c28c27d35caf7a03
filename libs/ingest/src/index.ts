export * from './accounting';
export * from './paths';
export * from './point-batch';
export * from './rate-limit';
export * from './stage';
export * from './tag-pattern';
export * from './tokens';
export * from './writer';
