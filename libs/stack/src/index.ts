export * from './processes';
export * from './stack';
