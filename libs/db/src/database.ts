import type { SextantConfig } from '@sextant/config';
import { startEmbeddedPostgres } from './embedded-postgres';

export interface DatabaseHandle {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

/** The configured server, or an embedded one when no DATABASE_URL is set. */
export async function openDatabase(
  config: Pick<SextantConfig, 'databaseUrl' | 'embeddedPostgres'>,
  log: (line: string) => void = () => undefined,
): Promise<DatabaseHandle> {
  if (config.databaseUrl) {
    return { url: config.databaseUrl, embedded: false, stop: async () => undefined };
  }
  const pg = await startEmbeddedPostgres({ ...config.embeddedPostgres, log });
  return { url: pg.url, embedded: true, stop: () => pg.stop() };
}
