export * from './fixtures';
export { foldAll } from '../rollups.repository';
