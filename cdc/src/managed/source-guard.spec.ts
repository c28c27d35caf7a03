import { describe, expect, it } from '@jest/globals';
import { expectWithMessage } from '@sextant/testing';
import {
  addressKind,
  canonicalAddress,
  embeddedIpv4,
  parseSourceUrl,
  SourceGuard,
  SourceUrl,
} from './source-guard';

describe(parseSourceUrl.name, () => {
  it('reads user, password, one host, port, database and the supported parameters', () => {
    expect(
      parseSourceUrl(
        'postgresql://rep%40x:p%2Fw@db.example.org:6543/erp%20db?sslmode=verify-full&application_name=a&connect_timeout=5',
      ),
    ).toEqual({
      host: 'db.example.org',
      socket: false,
      port: 6543,
      user: 'rep@x',
      password: 'p/w',
      database: 'erp db',
      sslmode: 'verify-full',
      applicationName: 'a',
      connectTimeoutMs: 5000,
    });
    expect(parseSourceUrl('postgres://u@[::1]/')).toMatchObject({
      host: '::1',
      port: 5432,
      password: '',
      database: 'u',
      sslmode: 'disable',
    });
    expect(parseSourceUrl('postgres://u@%2Frun%2Fpostgresql:5433/db')).toMatchObject({
      host: '/run/postgresql',
      socket: true,
    });
  });

  it.each([
    'sslcert',
    'sslkey',
    'sslrootcert',
    'sslcrl',
    'sslcrldir',
    'passfile',
    'service',
    'servicefile',
    'SSLKEY',
  ])('refuses the file-reading parameter %s, naming it', (name) => {
    expect(() => parseSourceUrl(`postgresql://u:p@db.example/erp?${name}=/etc/shadow`)).toThrow(
      new RegExp(
        `ConnectionParameter: parameter ${name} is not allowed: it makes the platform read a file`,
      ),
    );
  });

  it.each([
    ['postgresql://u:p@db.example/erp?host=/tmp', /parameter host is not supported/],
    ['postgresql://u:p@db.example/erp?hostaddr=127.0.0.1', /parameter hostaddr is not supported/],
    ['postgresql://u:p@db.example/erp?options=-c%20x', /parameter options is not supported/],
    ['postgresql://u:p@db.example/erp?sslmode=require&sslmode=disable', /sslmode is given twice/],
    ['postgresql://u:p@db.example/erp?sslmode=verify-ca', /verify-ca needs sslrootcert/],
    ['postgresql://u:p@db.example/erp?sslmode=allow', /sslmode must be one of/],
    ['postgresql://u:p@db.example/erp?connect_timeout=x', /connect_timeout must be whole/],
    ['postgresql://u:p@a,b/erp', /several hosts/],
    ['postgresql:///erp', /names no host/],
    ['postgresql://db.example/erp', /names no user/],
    ['mysql://u@db.example/erp', /postgres:\/\//],
    ['not a url', /not a valid URL/],
  ])('refuses %s', (url, reason) => {
    expect(() => parseSourceUrl(url)).toThrow(reason);
  });
});

describe(addressKind.name, () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::127.0.0.1', 'loopback'],
    ['64:ff9b::7f00:1', 'loopback'],
    ['2002:7f00:1::', 'loopback'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['169.254.1.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['169.254.169.254', 'metadata'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['fd00:ec2::254', 'metadata'],
    ['fd00:ec2:0::254', 'metadata'],
    ['100.100.100.200', 'metadata'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['10.1.2.3', null],
    ['192.168.1.10', null],
    ['93.184.216.34', null],
    ['2001:db8::1', null],
  ])('%s is %s', (address, kind) => {
    expect(addressKind(address)).toBe(kind);
  });

  it('spells addresses one way to compare them', () => {
    expect(canonicalAddress('::FFFF:10.0.0.1')).toBe('10.0.0.1');
    expect(canonicalAddress('fd00:ec2::254')).toBe(canonicalAddress('fd00:ec2:0:0:0:0:0:254'));
    expect(embeddedIpv4('2001:db8::1')).toBeNull();
  });
});

describe(SourceGuard.name, () => {
  const source = (host: string): SourceUrl => ({
    ...parseSourceUrl('postgresql://u:secret@x/db'),
    host,
    socket: host.startsWith('/'),
  });
  const guard = (allowedHosts: string[], answers: Record<string, string[]> = {}) =>
    new SourceGuard({
      allowedHosts,
      ownDatabaseUrl: null,
      lookup: async (host) => {
        if (!answers[host]) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), {});
        return answers[host];
      },
      localAddresses: () => ['127.0.0.1', '::1', '10.0.0.5'],
    });

  it('refuses loopback, link-local, metadata, local addresses and sockets unless allowed', async () => {
    const none = guard([], { 'db.example': ['93.184.216.34'], localhost: ['127.0.0.1', '::1'] });
    for (const host of ['127.0.0.1', '::1', 'localhost', '169.254.169.254', '10.0.0.5', '0.0.0.0'])
      await expectWithMessage(none.address(source(host)), host).rejects.toThrow(/HostNotAllowed/);
    await expect(none.address(source('/run/postgresql'))).rejects.toThrow(/HostNotAllowed/);
    await expect(none.address(source('metadata.google.internal'))).rejects.toThrow(
      /HostNotAllowed/,
    );
    await expect(none.address(source('db.example'))).resolves.toBe('93.184.216.34');
    await expect(none.address(source('10.0.0.6'))).resolves.toBe('10.0.0.6');
  });

  it('allows what CDC_ALLOWED_HOSTS lists, but a metadata address only by itself', async () => {
    const some = guard(['127.0.0.1', '169.254.0.0/16', 'db.local', '/run/postgresql'], {
      localhost: ['::1', '127.0.0.1'],
      'db.local': ['127.0.0.9'],
    });
    await expect(some.address(source('127.0.0.1'))).resolves.toBe('127.0.0.1');
    await expect(some.address(source('::ffff:127.0.0.1'))).resolves.toBe('::ffff:127.0.0.1');
    // The first address that may be reached is the one connected to.
    await expect(some.address(source('localhost'))).resolves.toBe('127.0.0.1');
    await expect(some.address(source('169.254.10.10'))).resolves.toBe('169.254.10.10');
    await expect(some.address(source('169.254.169.254'))).rejects.toThrow(/HostNotAllowed/);
    await expect(some.address(source('db.local'))).resolves.toBe('127.0.0.9');
    await expect(some.address(source('127.0.0.2'))).rejects.toThrow(/HostNotAllowed/);
    await expect(some.address(source('/run/postgresql/'))).resolves.toBe('/run/postgresql/');
    await expect(some.address(source('/tmp'))).rejects.toThrow(/HostNotAllowed/);
    expect(await guard(['169.254.169.254']).address(source('169.254.169.254'))).toBe(
      '169.254.169.254',
    );
  });

  it('says only "could not connect" for a name that does not resolve', async () => {
    const lines: string[] = [];
    const quiet = new SourceGuard({
      ownDatabaseUrl: null,
      lookup: () => Promise.reject(new Error('getaddrinfo ENOTFOUND nowhere.invalid')),
      log: (line) => lines.push(line),
    });
    await expect(quiet.address(source('nowhere.invalid'))).rejects.toThrow(
      /^SourceUnreachable: could not connect to the source$/,
    );
    expect(lines.join('\n')).toMatch(/ENOTFOUND nowhere\.invalid/);
  });

  it('gives pg the checked address, the name for TLS, and the password without fallbacks', async () => {
    const parsed = parseSourceUrl('postgresql://rep:pw@db.example/erp?sslmode=verify-full');
    const config = guard([]).clientConfig(parsed, '93.184.216.34', { replication: true });
    expect(config).toMatchObject({
      host: '93.184.216.34',
      port: 5432,
      user: 'rep',
      database: 'erp',
      ssl: { rejectUnauthorized: true, servername: 'db.example' },
      replication: 'database',
    });
    // A function: pg neither reads PGPASSWORD nor ~/.pgpass for it.
    expect(typeof config.password).toBe('function');
    expect(await (config.password as () => Promise<string>)()).toBe('pw');
    const plain = guard([]).clientConfig(
      parseSourceUrl('postgresql://rep@10.0.0.6/erp'),
      '10.0.0.6',
    );
    expect(plain.ssl).toBe(false);
    expect(await (plain.password as () => Promise<string>)()).toBe('');
  });
});
