import { Client } from 'pg';
import { sourceConnectTimeoutMs } from './source.repository';

export interface SourceConnectOptions {
  /** A logical replication connection (`replication=database`). */
  replication?: boolean;
  /** Session settings sent at start-up (`-c name=value …`). */
  sessionOptions?: string;
  /** Give up connecting after this (default sourceConnectTimeoutMs). */
  timeoutMs?: number;
}

/**
 * Opens a connection to a source database. Every connection to a source goes through one, so
 * that managed sources are checked each time they connect (see SourceGuard).
 */
export type SourceConnector = (url: string, options?: SourceConnectOptions) => Promise<Client>;

/**
 * Connects as the URL says, trusting it and pg's defaults: for the stand-alone runner, whose
 * connection string its operator wrote. Sources registered through the API use a SourceGuard.
 */
export const trustedConnector: SourceConnector = async (url, options = {}) => {
  const client = new Client({
    connectionString: url,
    options: options.sessionOptions,
    connectionTimeoutMillis: options.timeoutMs ?? sourceConnectTimeoutMs,
    ...(options.replication ? { replication: 'database' } : {}),
  });
  // A connection lost while idle must not be an unhandled 'error' event; queries still fail.
  client.on('error', () => undefined);
  await client.connect();
  return client;
};
