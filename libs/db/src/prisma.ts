import { PrismaPg } from '@prisma/adapter-pg';
import { Pool } from 'pg';
import { PrismaClient } from './generated/prisma/client';

export { Prisma, PrismaClient } from './generated/prisma/client';
export type * from './generated/prisma/models';
export * as enums from './generated/prisma/enums';

export interface DatabaseClients {
  prisma: PrismaClient;
  /** The same pool Prisma uses, for hot paths that run SQL directly (in repositories). */
  pool: Pool;
  close(): Promise<void>;
}

/** A Prisma client over a node-postgres pool (Prisma 7's driver-adapter mode). */
export function createDatabaseClients(databaseUrl: string, poolSize = 10): DatabaseClients {
  const pool = new Pool({ connectionString: databaseUrl, max: poolSize });
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    prisma,
    pool,
    async close() {
      await prisma.$disconnect();
      await pool.end().catch(() => undefined);
    },
  };
}

/** A Prisma client with its own pool. */
export function createPrismaClient(databaseUrl: string, poolSize = 10): PrismaClient {
  return new PrismaClient({
    adapter: new PrismaPg({ connectionString: databaseUrl, max: poolSize }),
  });
}
