import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, TestDatabase } from '@sextant/testing';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { defaultMigrationsDir, migrate, MigrationError, readMigrations } from './migrator';

describe(migrate.name, () => {
  let db: TestDatabase;
  let dir: string;

  beforeAll(async () => {
    // An empty database (not the migrated template): drop what the template brought.
    db = await createTestDatabase('migrator');
    const client = new Client({ connectionString: db.url });
    await client.connect();
    await client.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
    await client.end();
    dir = mkdtempSync(path.join(os.tmpdir(), 'sextant-migrations-'));
    cpSync(defaultMigrationsDir, dir, { recursive: true });
  });

  afterAll(async () => {
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('applies every migration once and records it the way Prisma does', async () => {
    const migrations = await readMigrations(dir);
    const first = await migrate(db.url, dir);
    expect(first.applied).toEqual(migrations.map((m) => m.name));
    const again = await migrate(db.url, dir);
    expect(again.applied).toEqual([]);
    expect(again.alreadyApplied).toEqual(migrations.map((m) => m.name));

    const client = new Client({ connectionString: db.url });
    await client.connect();
    const { rows } = await client.query(
      'SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name',
    );
    await client.end();
    expect(rows).toHaveLength(migrations.length);
    expect(rows[0].checksum).toBe(migrations[0].checksum);
    expect(rows[0].checksum).toMatch(/^[0-9a-f]{64}$/); // sha256 of migration.sql, as Prisma
    expect(rows[0].finished_at).toBeInstanceOf(Date);
  });

  it('refuses to run when an applied migration was edited afterwards', async () => {
    const [first] = await readMigrations(dir);
    writeFileSync(path.join(dir, first.name, 'migration.sql'), `${first.sql}\n-- edited\n`);
    await expect(migrate(db.url, dir)).rejects.toThrow(MigrationError);
    await expect(migrate(db.url, dir)).rejects.toThrow(/edited after it was applied/);
  });

  it('rolls back a failing migration and names it', async () => {
    const broken = path.join(dir, '29991231000000_added_broken_thing');
    cpSync(path.join(dir, (await readMigrations(dir))[0].name), broken, { recursive: true });
    writeFileSync(
      path.join(broken, 'migration.sql'),
      'CREATE TABLE "ok_then" (id int);\nSELECT * FROM "no_such_table";\n',
    );
    // Restore the edited first migration so only the broken one fails.
    cpSync(defaultMigrationsDir, dir, { recursive: true });
    await expect(migrate(db.url, dir)).rejects.toThrow(
      /29991231000000_added_broken_thing: relation "no_such_table" does not exist/,
    );
    const client = new Client({ connectionString: db.url });
    await client.connect();
    const { rows } = await client.query(`SELECT to_regclass('public.ok_then') AS t`);
    await client.end();
    expect(rows[0].t).toBeNull(); // the statement before the failure was rolled back too
  });
});
