export * from './embedded-postgres';
export * from './migrator';
export * from './prisma';
export * from './database';
export * from './database-probe.module';
