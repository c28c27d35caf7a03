import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { loadConfig } from '@sextant/config';
import { createTestDatabase, expectWithMessage, TestDatabase } from '@sextant/testing';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { membersWithTokens, startApi, type ApiHarness } from '../testing/api-harness';
import { portalProof } from './client-address';

// What every request meets before its body is read, tried as an attacker would: a forged
// X-Forwarded-For (the sign-in lockout and the audit log see the real address), floods of
// account requests (429 with Retry-After), and bodies the route has no use for (415, 413; an
// anonymous upload is refused before a byte of it is read).

const defaults = loadConfig({}).auth;
const secretKey = 'a'.repeat(64);
const org = randomUUID();

describe('the request gate', () => {
  let db: TestDatabase;
  let sql: Pool;
  let api: ApiHarness;
  let token = '';

  const failedSignIn = (email: string, remoteAddress: string, headers: Record<string, string>) =>
    api.call('POST', '/api/auth/sign-in', {
      body: { email, password: 'not the password at all' },
      remoteAddress,
      headers,
    });

  /** The client addresses the audit log holds for failed sign-ins of `email`. */
  async function auditedAddresses(email: string): Promise<string[]> {
    const { rows } = await sql.query<{ ip: string }>(
      `SELECT source_ip AS ip FROM audit_event
        WHERE action = 'auth.sign-in' AND outcome = 'failure' AND actor_label = $1 ORDER BY at`,
      [email],
    );
    return rows.map((r) => r.ip);
  }

  beforeAll(async () => {
    db = await createTestDatabase('request_gate');
    sql = new Pool({ connectionString: db.url, max: 2 });
    await sql.query(
      `INSERT INTO node (id, parent_id, kind, name, reference, updated_at)
       VALUES ($1, NULL, 'organisation', 'gate', 'gate', now())`,
      [org],
    );
    token = (await membersWithTokens(sql, db.url, [['owner@gate.test', org, 'owner']], 'gate'))[
      'owner@gate.test'
    ];
    api = await startApi(db.url, {
      secretKey,
      auth: { ...defaults, ipThreshold: 3, lockoutThreshold: 1000, rateLimitPerAddress: 1000 },
    });
  });

  afterAll(async () => {
    await api?.close();
    await sql?.end();
    await db?.drop();
  });

  it('locks the real address, whatever X-Forwarded-For claims, and audits the real address', async () => {
    // Three failures from one address, each claiming another: the address is locked.
    for (let i = 1; i <= 2; i++) {
      const answer = await failedSignIn(`spoof${i}@gate.test`, '203.0.113.7', {
        'x-forwarded-for': `10.0.0.${i}`,
      });
      expect(answer.status).toBe(401);
    }
    const third = await failedSignIn('spoof3@gate.test', '203.0.113.7', {
      'x-forwarded-for': '10.0.0.3, 10.0.0.4',
    });
    expect(third.status).toBe(429);
    expect(third.body).toMatchObject({ code: 'SignInLocked' });
    const fourth = await failedSignIn('spoof4@gate.test', '203.0.113.7', {
      'x-forwarded-for': '10.0.0.5',
    });
    expect(fourth.status).toBe(429);
    for (const email of ['spoof1@gate.test', 'spoof3@gate.test', 'spoof4@gate.test'])
      expect(await auditedAddresses(email)).toEqual(['203.0.113.7']);
    // Another address is not locked.
    expect((await failedSignIn('spoof5@gate.test', '203.0.113.8', {})).status).toBe(401);
  });

  it('believes X-Forwarded-For only as far as TRUST_PROXY_HOPS, and the portal by its proof', async () => {
    const behindOne = await startApi(db.url, { secretKey, trustProxyHops: 1 });
    try {
      // The proxy (10.1.1.1) appended the client it saw; what the client wrote before is not believed.
      await behindOne.call('POST', '/api/auth/sign-in', {
        body: { email: 'hops@gate.test', password: 'not the password at all' },
        remoteAddress: '10.1.1.1',
        headers: { 'x-forwarded-for': '6.6.6.6, 198.51.100.9' },
      });
    } finally {
      await behindOne.close();
    }
    expect(await auditedAddresses('hops@gate.test')).toEqual(['198.51.100.9']);

    const proof = portalProof(secretKey);
    await failedSignIn('portal@gate.test', '127.0.0.1', {
      'x-forwarded-for': '198.51.100.20',
      'x-sextant-portal': proof,
    });
    await failedSignIn('portal@gate.test', '127.0.0.1', {
      'x-forwarded-for': '198.51.100.21',
      'x-sextant-portal': proof.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')),
    });
    expect(await auditedAddresses('portal@gate.test')).toEqual(['198.51.100.20', '127.0.0.1']);
  });

  it('answers 429 with Retry-After past the account routes’ limits, per address and in all', async () => {
    const limited = await startApi(db.url, {
      secretKey,
      auth: { ...defaults, rateLimitPerAddress: 3, rateLimitTotal: 8 },
    });
    const reset = (n: number, remoteAddress: string) =>
      limited.call('POST', '/api/auth/password-reset/request', {
        body: { email: `flood${n}@gate.test` },
        remoteAddress,
      });
    try {
      for (let n = 0; n < 3; n++) expect((await reset(n, '198.51.100.1')).status).toBe(202);
      const refused = await reset(3, '198.51.100.1');
      expect(refused.status).toBe(429);
      expect(refused.body).toMatchObject({ code: 'TooManyRequests' });
      // 3 a minute: the next one in about 20 s.
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(21);
      // Sign-in is counted as well, before any password is hashed.
      expect(
        (
          await limited.call('POST', '/api/auth/sign-in', {
            body: { email: 'x@gate.test', password: 'whatever it is' },
            remoteAddress: '198.51.100.1',
          })
        ).status,
      ).toBe(429);
      // An IPv6 client is its /64: other addresses of the network share its bucket.
      for (let n = 1; n <= 4; n++)
        expect((await reset(10 + n, `2001:db8:1:2::${n}`)).status).toBe(n <= 3 ? 202 : 429);
      // 8 in all, from every address together: past them, a fresh address is refused too.
      for (let n = 0; n < 3; n++)
        expect((await reset(20 + n, '198.51.100.2')).status).toBe(n < 2 ? 202 : 429);
      // Reading is not limited.
      expect(
        (await limited.call('GET', '/api/auth/me', { remoteAddress: '198.51.100.1' })).status,
      ).toBe(401);
    } finally {
      await limited.close();
    }
  });

  it('limits the account emails one client address asks for, whatever the addresses', async () => {
    const strict = await startApi(db.url, {
      secretKey,
      auth: { ...defaults, emailLimit: 100, emailIpLimit: 2 },
    });
    const ask = (n: number, remoteAddress: string) =>
      strict.call('POST', '/api/auth/password-reset/request', {
        body: { email: `many${n}@gate.test` },
        remoteAddress,
      });
    try {
      expect((await ask(1, '198.51.100.50')).status).toBe(202);
      expect((await ask(2, '198.51.100.50')).status).toBe(202);
      const refused = await ask(3, '198.51.100.50');
      expect(refused.status).toBe(429);
      expect(refused.body).toMatchObject({ code: 'TooManyRequests' });
      expect((await ask(4, '198.51.100.51')).status).toBe(202);
    } finally {
      await strict.close();
    }
  });

  it('refuses an anonymous upload with 401 before reading its body', async () => {
    await api.app.listen(0, '127.0.0.1');
    const { port } = api.app.getHttpServer().address() as { port: number };
    const head = (path: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1');
        let answer = '';
        const timer = setTimeout(() => {
          socket.destroy();
          reject(new Error(`${path}: no answer while the 60 MiB body was not sent`));
        }, 10_000);
        socket.on('data', (chunk) => {
          answer += chunk.toString('latin1');
          if (answer.includes('\r\n\r\n')) {
            clearTimeout(timer);
            socket.destroy();
            resolve(answer.split('\r\n')[0]);
          }
        });
        socket.on('error', reject);
        // Only the head: a server that waits for the body never answers.
        socket.write(
          `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nContent-Length: ${60 << 20}\r\n\r\n`,
        );
      });
    expect(await head(`/api/imports/cmapss/${org}`)).toMatch(/^HTTP\/1\.1 401/);
    expect(await head(`/api/lightcurves?parentId=${org}`)).toMatch(/^HTTP\/1\.1 401/);
  });

  it('takes file content types only on upload routes (415 elsewhere) and keeps JSON small (413)', async () => {
    for (const [url, type] of [
      ['/api/nodes', 'text/csv'],
      ['/api/nodes', 'text/plain; charset=utf-8'],
      ['/api/auth/sign-in', 'application/octet-stream'],
      ['/graphql', 'application/octet-stream'],
    ]) {
      const answer = await api.call('POST', url, {
        token,
        body: 'kind,name\nsite,x\n',
        headers: { 'content-type': type },
      });
      expectWithMessage(answer.status, `${type} to ${url}`).toBe(415);
    }
    const refused = await api.call('POST', '/api/nodes', {
      token,
      body: 'a,b\n',
      headers: { 'content-type': 'text/csv' },
    });
    expect(refused.body).toMatchObject({
      code: 'UnsupportedMediaType',
      message: expect.stringMatching(/text\/csv/),
    });
    const large = await api.call('POST', '/api/nodes', {
      token,
      body: { kind: 'site', name: 'x'.repeat(2 << 20), reference: 'gate.large', parentId: org },
    });
    expect(large.status).toBe(413);
    // An upload route still takes its file from a member (here: not a C-MAPSS file, so 400).
    const upload = await api.call('POST', `/api/imports/cmapss/${org}`, {
      token,
      body: 'not a turbofan file',
      headers: { 'content-type': 'text/plain' },
    });
    expect(upload.status).toBe(400);
  });

  it('serves no GraphiQL (scripts from a CDN) unless asked for development', async () => {
    expect((await api.call('GET', '/graphiql')).status).toBe(404);
  });
});
