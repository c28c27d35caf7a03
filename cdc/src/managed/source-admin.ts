import type { Client } from 'pg';
import { CdcSourceError } from '../sources/pgoutput/pgoutput.errors';
import { SourceConnector, trustedConnector } from '../sources/pgoutput/source-connection';
import { SourceRepository, SourceTable } from '../sources/pgoutput/source.repository';

export interface SourceCheck {
  database: string;
  serverVersion: string;
  tables: SourceTable[];
}

/** Runs `work` on a normal connection to the source; a failed connection names the reason. */
async function withSource<T>(
  connect: SourceConnector,
  url: string,
  work: (client: Client) => Promise<T>,
): Promise<T> {
  let client: Client;
  try {
    client = await connect(url);
  } catch (error) {
    // A guard's refusals (and its "could not connect") are said as they are.
    if (error instanceof CdcSourceError) throw error;
    throw new CdcSourceError(
      'SourceUnreachable',
      `cannot connect to the source: ${(error as Error).message || String(error)}`,
    );
  }
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Checks that a source can be captured before it is registered: it answers, has
 * `wal_level=logical`, the user may replicate, and every table exists and has a key.
 */
export function checkSource(
  url: string,
  tables: readonly string[],
  keys: Readonly<Record<string, readonly string[]>> = {},
  connect: SourceConnector = trustedConnector,
): Promise<SourceCheck> {
  return withSource(connect, url, async (client) => {
    const { rows } = await client.query<{
      wal_level: string;
      version: string;
      can_replicate: boolean;
      db: string;
    }>(
      `SELECT current_setting('wal_level') AS wal_level, current_setting('server_version') AS version,
              current_database() AS db,
              (SELECT rolreplication OR rolsuper FROM pg_roles WHERE rolname = current_user) AS can_replicate`,
    );
    const info = rows[0];
    if (info.wal_level !== 'logical') {
      throw new CdcSourceError(
        'WalLevelNotLogical',
        `the source has wal_level=${info.wal_level}; logical replication needs wal_level=logical (set it and restart the server)`,
      );
    }
    if (!info.can_replicate) {
      throw new CdcSourceError(
        'NoReplicationPrivilege',
        'the source user lacks the REPLICATION attribute (ALTER ROLE ... REPLICATION)',
      );
    }
    const found = await new SourceRepository(client).tables(tables, keys);
    return { database: info.db, serverVersion: info.version, tables: found };
  });
}

/** Drops the slot, ending the walsender that still holds it; false when there was none. */
async function dropSlotOn(client: Client, slot: string): Promise<boolean> {
  for (let attempt = 0; ; attempt++) {
    const { rows } = await client.query<{ active_pid: number | null }>(
      'SELECT active_pid FROM pg_replication_slots WHERE slot_name = $1',
      [slot],
    );
    if (rows.length === 0) return false;
    if (attempt >= 20) {
      throw new CdcSourceError(
        'SlotInUse',
        `slot ${slot} stays in use by process ${rows[0].active_pid}; stop that reader first`,
      );
    }
    if (rows[0].active_pid !== null) {
      await client.query('SELECT pg_terminate_backend($1)', [rows[0].active_pid]);
      await new Promise((resolve) => setTimeout(resolve, 100));
      continue;
    }
    try {
      await client.query('SELECT pg_drop_replication_slot($1)', [slot]);
      return true;
    } catch (error) {
      // Taken again between the check and the drop (55006): end that walsender and retry.
      if ((error as { code?: string }).code !== '55006') throw error;
    }
  }
}

/**
 * Drops a source's replication slot (ending the walsender that still holds it) and its
 * publication; either may already be gone.
 */
export function dropSlotAndPublication(
  url: string,
  slot: string,
  publication: string,
  connect: SourceConnector = trustedConnector,
): Promise<{ slotDropped: boolean; publicationDropped: boolean }> {
  return withSource(connect, url, async (client) => {
    const slotDropped = await dropSlotOn(client, slot);
    const dropped = await client.query<{ pubname: string }>(
      'SELECT pubname FROM pg_publication WHERE pubname = $1',
      [publication],
    );
    if (dropped.rows.length > 0) {
      await client.query(`DROP PUBLICATION ${client.escapeIdentifier(publication)}`);
    }
    return { slotDropped, publicationDropped: dropped.rows.length > 0 };
  });
}

/** WAL a slot holds back on the source, in bytes (restart_lsn to the end); null: no such slot. */
export function retainedWal(
  url: string,
  slot: string,
  connect: SourceConnector = trustedConnector,
): Promise<number | null> {
  return withSource(connect, url, async (client) => {
    const { rows } = await client.query<{ retained: string | null }>(
      `SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint::text AS retained
         FROM pg_replication_slots WHERE slot_name = $1`,
      [slot],
    );
    return rows.length === 0 ? null : Number(rows[0].retained ?? 0);
  });
}

/** Drops a source's replication slot only (the publication stays for a new slot); false: none. */
export function dropSlot(
  url: string,
  slot: string,
  connect: SourceConnector = trustedConnector,
): Promise<boolean> {
  return withSource(connect, url, (client) => dropSlotOn(client, slot));
}
