export * from './chunk-codec';
