import { defineConfig } from 'prisma/config';

// The CLI is used only for `prisma generate` here: migrations are plain SQL applied by
// libs/db's migrator (docs/development.md, "Migrations"), so no datasource URL is needed at build time.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
});
