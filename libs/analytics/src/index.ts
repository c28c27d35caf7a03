export * from './common/errors';
export * from './common/findings';
export * from './common/stats';
export * from './common/csv';
export * from './fits/fits';
export * from './fits/lightcurve';
