// `prisma generate` needs no schema engine, but the CLI insists on locating one; pointing it
// at any executable (here, node itself) keeps it from trying to download a binary.
import { execFileSync } from 'node:child_process';

execFileSync('npx', ['prisma', 'generate'], {
  stdio: 'inherit',
  env: {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: process.execPath,
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
  },
});
