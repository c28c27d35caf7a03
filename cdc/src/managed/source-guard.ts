import { promises as dns } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { isNativeError } from 'node:util/types';
import { Client, ClientConfig } from 'pg';
import { CdcSourceError } from '../sources/pgoutput/pgoutput.errors';
import { SourceConnectOptions, SourceConnector } from '../sources/pgoutput/source-connection';
import { sourceConnectTimeoutMs } from '../sources/pgoutput/source.repository';

/** What a source connection string says, once checked: nothing else of it is used. */
export interface SourceUrl {
  /** A host name or address (IPv6 without brackets), or a Unix socket directory. */
  host: string;
  socket: boolean;
  port: number;
  user: string;
  password: string;
  database: string;
  sslmode: 'disable' | 'prefer' | 'require' | 'no-verify' | 'verify-full';
  applicationName: string | null;
  connectTimeoutMs: number | null;
}

// Parameters that make a Postgres client read a file (or the environment) of the machine it
// runs on: the API's and the worker's machine here.
const fileParameters = new Set([
  'sslcert',
  'sslkey',
  'sslrootcert',
  'sslcrl',
  'sslcrldir',
  'sslpassword',
  'passfile',
  'service',
  'servicefile',
  'pgservicefile',
  'krbsrvname',
  'gsslib',
]);
const supportedParameters = ['sslmode', 'application_name', 'connect_timeout'];
const sslModes = ['disable', 'prefer', 'require', 'no-verify', 'verify-full'] as const;

const refuse = (reason: string) => new CdcSourceError('ConnectionParameter', reason);

/**
 * Reads a postgres:// connection string without touching the disk or the environment: only
 * user, password, one host (name or address), port, database and the parameters sslmode,
 * application_name and connect_timeout. Anything else (parameters that read files, several
 * hosts, a host given as a parameter) is refused, naming it.
 */
export function parseSourceUrl(text: string): SourceUrl {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw refuse('is not a valid URL (postgresql://user:password@host:port/database)');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:')
    throw refuse('must be a postgres:// or postgresql:// URL');
  const seen = new Set<string>();
  for (const name of url.searchParams.keys()) {
    const key = name.toLowerCase();
    if (fileParameters.has(key))
      throw refuse(
        `parameter ${name} is not allowed: it makes the platform read a file of its own machine`,
      );
    if (!supportedParameters.includes(key))
      throw refuse(
        `parameter ${name} is not supported (supported: ${supportedParameters.join(', ')})`,
      );
    if (seen.has(key)) throw refuse(`parameter ${name} is given twice`);
    seen.add(key);
  }
  const param = (name: string) => {
    for (const [key, value] of url.searchParams) if (key.toLowerCase() === name) return value;
    return null;
  };
  let host: string;
  let user: string;
  let password: string;
  let database: string;
  try {
    host = decodeURIComponent(url.hostname.replace(/^\[(.*)\]$/, '$1'));
    user = decodeURIComponent(url.username);
    password = decodeURIComponent(url.password);
    database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  } catch {
    throw refuse('holds a malformed %-escape');
  }
  if (!host) throw refuse('names no host (postgresql://user:password@host:port/database)');
  if (host.includes(',')) throw refuse('names several hosts: give one');
  if (!user) throw refuse('names no user (postgresql://user:password@host:port/database)');
  if (database.includes('/')) throw refuse('has a path that is not a database name');
  const sslmode = param('sslmode') ?? 'disable';
  if (sslmode === 'verify-ca')
    throw refuse(
      'sslmode=verify-ca needs sslrootcert, a file of the platform: use sslmode=verify-full (public CAs)',
    );
  if (!(sslModes as readonly string[]).includes(sslmode))
    throw refuse(`sslmode must be one of ${sslModes.join(', ')}`);
  const timeout = param('connect_timeout');
  if (timeout !== null && !/^\d{1,4}$/.test(timeout))
    throw refuse('connect_timeout must be whole seconds');
  return {
    host,
    socket: host.startsWith('/'),
    port: url.port ? Number(url.port) : 5432,
    user,
    password,
    database: database || user,
    sslmode: sslmode as SourceUrl['sslmode'],
    applicationName: param('application_name'),
    connectTimeoutMs: timeout === null || timeout === '0' ? null : Number(timeout) * 1000,
  };
}

/** Why an address may not be reached without being allowed; null when it may. */
export type AddressKind = 'unspecified' | 'loopback' | 'link-local' | 'metadata' | 'multicast';

const ranges: [AddressKind, string, number, 'ipv4' | 'ipv6'][] = [
  ['unspecified', '0.0.0.0', 8, 'ipv4'],
  ['unspecified', '::', 128, 'ipv6'],
  ['loopback', '127.0.0.0', 8, 'ipv4'],
  ['loopback', '::1', 128, 'ipv6'],
  ['link-local', '169.254.0.0', 16, 'ipv4'],
  ['link-local', 'fe80::', 10, 'ipv6'],
  ['multicast', '224.0.0.0', 3, 'ipv4'],
  ['multicast', 'ff00::', 8, 'ipv6'],
];
const kinds = new Map<AddressKind, BlockList>();
for (const [kind, address, bits, family] of ranges) {
  if (!kinds.has(kind)) kinds.set(kind, new BlockList());
  kinds.get(kind)!.addSubnet(address, bits, family);
}
// Cloud instance metadata (AWS, GCP, Azure, OpenStack; ECS tasks; Alibaba): allowed only when
// listed one by one, never through a range.
export const metadataAddresses = [
  '169.254.169.254',
  '169.254.170.2',
  'fd00:ec2::254',
  '100.100.100.200',
];
const metadataNames = ['metadata.google.internal', 'metadata.goog', 'metadata'];

/** The 8 groups of an IPv6 address. */
function ipv6Groups(address: string): number[] {
  let text = address.toLowerCase().replace(/%.*$/, '');
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const b = v4[1].split('.').map(Number);
    text = text.replace(
      v4[1],
      `${((b[0] << 8) | b[1]).toString(16)}:${((b[2] << 8) | b[3]).toString(16)}`,
    );
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, null];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const middle = tail === null ? [] : Array(8 - left.length - right.length).fill('0');
  return [...left, ...middle, ...right].map((g) => parseInt(g, 16));
}

/**
 * The IPv4 address carried in an IPv6 one: mapped (::ffff:a.b.c.d), compatible (::a.b.c.d),
 * NAT64 (64:ff9b::a.b.c.d) or 6to4 (2002:aabb:ccdd::). Null for any other.
 */
export function embeddedIpv4(address: string): string | null {
  if (isIP(address) !== 6) return null;
  const g = ipv6Groups(address);
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  const zero = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zero(0, 5) && g[5] === 0xffff) return v4(g[6], g[7]);
  // ::a.b.c.d, but not :: and ::1 themselves.
  if (zero(0, 6) && (g[6] !== 0 || g[7] > 1)) return v4(g[6], g[7]);
  if (g[0] === 0x64 && g[1] === 0xff9b && zero(2, 6)) return v4(g[6], g[7]);
  if (g[0] === 0x2002) return v4(g[1], g[2]);
  return null;
}

/** The same address in one spelling (IPv4 for an IPv4 carried in IPv6), to compare. */
export function canonicalAddress(address: string): string {
  const v4 = embeddedIpv4(address);
  if (v4) return v4;
  if (isIP(address) === 6)
    return ipv6Groups(address)
      .map((g) => g.toString(16))
      .join(':');
  return address;
}

/** The kind of a restricted address (loopback, link-local, metadata…), or null for any other. */
export function addressKind(address: string): AddressKind | null {
  const canonical = canonicalAddress(address);
  if (metadataAddresses.some((m) => canonicalAddress(m) === canonical)) return 'metadata';
  const family = isIP(canonical) === 4 ? 'ipv4' : 'ipv6';
  for (const [kind, list] of kinds) if (list.check(canonical, family)) return kind;
  return null;
}

function machineAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((i) => i !== undefined)
    .map((i) => i.address);
}

export interface SourceGuardOptions {
  /** CDC_ALLOWED_HOSTS: names, addresses, CIDR ranges and socket directories. */
  allowedHosts?: readonly string[];
  /** The platform's own database: a source that is it (same server and database) is refused. */
  ownDatabaseUrl: string | null;
  /** Resolves a host name to its addresses (default: the system's resolver, every address). */
  lookup?: (host: string) => Promise<string[]>;
  /** This machine's addresses (default: its network interfaces'). */
  localAddresses?: () => string[];
  /** Where the full reason of a failed connection goes (the server's log, not the caller). */
  log?: (line: string) => void;
}

interface Identity {
  system: string;
  database: string;
}

const notAllowed = (host: string) =>
  new CdcSourceError(
    'HostNotAllowed',
    `host ${host} is not allowed: it is (or resolves to) a loopback, link-local, cloud metadata or local address, or a Unix socket (a platform administrator may allow it in CDC_ALLOWED_HOSTS)`,
  );

/**
 * Every connection to a managed source goes through here: the connection string is read
 * without touching files or the environment; the host is resolved and the address checked
 * (loopback, link-local, metadata, this machine's addresses and Unix sockets only when
 * allowed), and that very address is connected to, so a name cannot resolve to another one
 * in between; the server is asked who it is, and the platform's own database refused. A
 * connection that fails says only "could not connect to the source" (the reason goes to the
 * log), so that sources cannot be used to probe what answers where.
 */
export class SourceGuard {
  private readonly names = new Set<string>();
  private readonly addresses = new Set<string>();
  private readonly ranges = new BlockList();
  private readonly sockets = new Set<string>();
  private own: Promise<Identity> | null = null;

  constructor(private readonly options: SourceGuardOptions) {
    for (const entry of options.allowedHosts ?? []) {
      const [address, bits] = entry.split('/');
      const plain = address.replace(/^\[(.*)\]$/, '$1');
      if (entry.startsWith('/')) this.sockets.add(entry.replace(/\/+$/, '') || '/');
      else if (bits !== undefined && isIP(plain)) {
        const v4 = isIP(plain) === 4;
        this.ranges.addSubnet(plain, Number(bits), v4 ? 'ipv4' : 'ipv6');
      } else if (isIP(plain)) this.addresses.add(canonicalAddress(plain));
      else this.names.add(entry.toLowerCase().replace(/\.$/, ''));
    }
  }

  /** This guard's connect, for the code that opens connections to sources. */
  readonly connector: SourceConnector = (url, options) => this.connect(url, options);

  /** Opens a checked connection to the source (see the class). */
  async connect(url: string, options: SourceConnectOptions = {}): Promise<Client> {
    const source = parseSourceUrl(url);
    const host = await this.address(source);
    const client = new Client(this.clientConfig(source, host, options));
    client.on('error', () => undefined);
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => undefined);
      throw this.unreachable(source, host, error);
    }
    try {
      await this.refuseOwnDatabase(client, source, host, options);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    return client;
  }

  /** The address to connect to: the first the host resolves to that may be reached. */
  async address(source: SourceUrl): Promise<string> {
    const name = source.host.toLowerCase().replace(/\.$/, '');
    if (source.socket) {
      if (this.sockets.has(source.host.replace(/\/+$/, '') || '/')) return source.host;
      throw notAllowed(source.host);
    }
    const listed = this.names.has(name);
    if (metadataNames.includes(name) && !listed) throw notAllowed(source.host);
    let resolved: string[];
    try {
      resolved = isIP(source.host)
        ? [source.host]
        : await (this.options.lookup ?? systemLookup)(source.host);
    } catch (error) {
      throw this.unreachable(source, null, error);
    }
    if (resolved.length === 0) throw this.unreachable(source, null, new Error('no address'));
    const local = new Set(
      (this.options.localAddresses ?? machineAddresses)().map(canonicalAddress),
    );
    const allowed = resolved.find((address) => listed || this.reachable(address, local));
    if (allowed === undefined) throw notAllowed(source.host);
    return allowed;
  }

  /** An address not restricted, or allowed by CDC_ALLOWED_HOSTS. */
  private reachable(address: string, local: ReadonlySet<string>): boolean {
    const canonical = canonicalAddress(address);
    const kind = addressKind(canonical);
    if (kind === null && !local.has(canonical)) return true;
    if (this.addresses.has(canonical)) return true;
    // A range never opens a metadata address: those are listed one by one.
    return (
      kind !== 'metadata' && this.ranges.check(canonical, isIP(canonical) === 4 ? 'ipv4' : 'ipv6')
    );
  }

  /** pg's settings: all given, so that pg reads neither files nor PG* variables for them. */
  clientConfig(source: SourceUrl, host: string, options: SourceConnectOptions = {}): ClientConfig {
    const verify = source.sslmode === 'verify-full';
    // A name to check the certificate against (and SNI), as the address is what is connected.
    const servername = isIP(source.host) || source.socket ? {} : { servername: source.host };
    const ssl =
      source.sslmode === 'disable' || source.socket
        ? false
        : verify
          ? { rejectUnauthorized: true, ...servername }
          : { rejectUnauthorized: false, ...servername };
    const timeouts = [
      options.timeoutMs ?? sourceConnectTimeoutMs,
      source.connectTimeoutMs ?? Infinity,
    ];
    return {
      host,
      port: source.port,
      user: source.user,
      database: source.database,
      // A function: pg would otherwise fall back to PGPASSWORD and ~/.pgpass.
      password: () => source.password,
      ssl,
      options: options.sessionOptions,
      application_name: source.applicationName ?? 'sextant-cdc',
      connectionTimeoutMillis: Math.min(...timeouts),
      ...(options.replication ? { replication: 'database' } : {}),
    } as ClientConfig;
  }

  private unreachable(source: SourceUrl, address: string | null, error: unknown): CdcSourceError {
    // isNativeError, not instanceof: an error of Node's own sockets may come from another
    // realm than this module's Error (a test runner's VM context).
    const reason = isNativeError(error)
      ? error.message || (error as { code?: string }).code
      : String(error);
    this.options.log?.(
      `cdc: could not connect to ${source.host}${address && address !== source.host ? ` (${address})` : ''}:${source.port}: ${reason || 'unknown reason'}`,
    );
    return new CdcSourceError('SourceUnreachable', 'could not connect to the source');
  }

  /** Refuses the platform's own database: same server (system identifier) and database. */
  private async refuseOwnDatabase(
    client: Client,
    source: SourceUrl,
    host: string,
    options: SourceConnectOptions,
  ): Promise<void> {
    if (!this.options.ownDatabaseUrl) return;
    const own = await this.ownIdentity();
    let theirs: Identity;
    try {
      theirs = await identity(client);
    } catch (error) {
      // pg_control_system() may be closed to the source's user (some managed services): a
      // replication connection (which a source's user may open) says the same.
      try {
        theirs = options.replication
          ? await replicationIdentity(client)
          : await this.identityOverReplication(source, host, options);
      } catch (fallback) {
        this.options.log?.(
          `cdc: cannot ask the source who it is: ${(error as Error).message}; ${(fallback as Error).message}`,
        );
        throw new CdcSourceError(
          'OwnDatabase',
          "cannot tell whether the source is the platform's own database: its user may neither call pg_control_system() nor replicate",
        );
      }
    }
    if (theirs.system === own.system && theirs.database === own.database)
      throw new CdcSourceError('OwnDatabase', "the platform's own database cannot be a source");
  }

  private async identityOverReplication(
    source: SourceUrl,
    host: string,
    options: SourceConnectOptions,
  ): Promise<Identity> {
    const client = new Client(this.clientConfig(source, host, { ...options, replication: true }));
    client.on('error', () => undefined);
    try {
      await client.connect();
      return await replicationIdentity(client);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  private ownIdentity(): Promise<Identity> {
    this.own ??= (async () => {
      const client = new Client({ connectionString: this.options.ownDatabaseUrl! });
      client.on('error', () => undefined);
      await client.connect();
      try {
        return await identity(client);
      } finally {
        await client.end().catch(() => undefined);
      }
    })();
    // Asked again next time if the platform's database could not answer.
    this.own.catch(() => (this.own = null));
    return this.own;
  }
}

async function identity(client: Client): Promise<Identity> {
  const { rows } = await client.query<{ system: string; database: string }>(
    'SELECT system_identifier::text AS system, current_database() AS database FROM pg_control_system()',
  );
  return rows[0];
}

async function replicationIdentity(client: Client): Promise<Identity> {
  const { rows } = await client.query<{ systemid: string; dbname: string | null }>(
    'IDENTIFY_SYSTEM',
  );
  return { system: rows[0].systemid, database: rows[0].dbname ?? '' };
}

async function systemLookup(host: string): Promise<string[]> {
  return (await dns.lookup(host, { all: true, verbatim: true })).map((a) => a.address);
}
