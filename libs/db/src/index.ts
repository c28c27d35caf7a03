export * from './embedded-postgres';
export * from './migrator';
export * from './prisma';
export * from './database';
