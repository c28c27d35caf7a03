import { createTestDatabase, TestDatabase } from '@sextant/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiHarness } from '../testing/api-harness';

// Accounts end to end through the API in this process, on a real database: registration,
// email links (read from the log, as without SMTP), sessions with CSRF, lockout, password
// reset, personal API tokens, and what must never reach the log.

const password = 'correct horse battery';
const cookiesOf = (headers: Record<string, unknown>): string[] =>
  [headers['set-cookie'] ?? []].flat().map(String);
const cookieValue = (cookies: string[], name: string) =>
  cookies
    .find((c) => c.startsWith(`${name}=`))
    ?.split(';')[0]
    .slice(name.length + 1) ?? '';

function linkIn(logs: string[], email: string, page: string): string {
  const mail = [...logs].reverse().find((l) => l.includes(`email to ${email}`) && l.includes(page));
  const token = mail && new RegExp(`${page}\\?token=(\\S+)`).exec(mail)?.[1];
  if (!token) throw new Error(`no ${page} link for ${email} in the log`);
  return token;
}

describe('accounts and sessions', () => {
  let db: TestDatabase;
  let api: ApiHarness;
  const secrets: string[] = [password];

  beforeAll(async () => {
    db = await createTestDatabase('auth_flows');
    api = await startApi(db.url, {
      auth: {
        sessionHours: 1,
        apiTokenDays: 30,
        lockoutThreshold: 3,
        ipThreshold: 1000,
        lockoutMinutes: 15,
        cacheSeconds: 5,
        requireVerifiedEmail: true,
        secureCookies: null,
      },
      portalUrl: 'http://portal.test',
    });
  });

  afterAll(async () => {
    await api?.close();
    await db?.drop();
  });

  async function signIn(email: string, pass = password) {
    const answer = await api.call('POST', '/api/auth/sign-in', { body: { email, password: pass } });
    const cookies = cookiesOf(answer.headers);
    const session = cookieValue(cookies, 'sextant_session');
    if (session) secrets.push(session);
    return {
      answer,
      cookies,
      headers: {
        cookie: `sextant_session=${session}; sextant_csrf=${cookieValue(cookies, 'sextant_csrf')}`,
        'x-csrf-token': cookieValue(cookies, 'sextant_csrf'),
      },
    };
  }

  it('registers, refuses sign-in until the email link is opened, then opens a session', async () => {
    const registered = await api.call('POST', '/api/auth/register', {
      body: { email: 'Nina@Example.org', name: 'Nina', password, organisation: 'Nina Wind' },
    });
    expect(registered.status).toBe(201);
    expect(registered.body).toMatchObject({ email: 'nina@example.org', emailVerified: false });
    expect(registered.body.memberships).toEqual([
      expect.objectContaining({ role: 'owner', nodeName: 'Nina Wind' }),
    ]);

    expect((await signIn('nina@example.org')).answer.body).toMatchObject({
      code: 'EmailNotVerified',
    });
    const token = linkIn(api.logs, 'nina@example.org', 'verify-email');
    expect(token).toMatch(/^sxe_/);
    expect((await api.call('POST', '/api/auth/verify-email', { body: { token } })).status).toBe(
      200,
    );
    // A link works once.
    expect(
      (await api.call('POST', '/api/auth/verify-email', { body: { token } })).body,
    ).toMatchObject({
      code: 'InvalidLink',
      errors: [{ field: 'token', reason: 'unknown, used or expired' }],
    });

    const { answer, cookies } = await signIn('NINA@example.org');
    expect(answer.status).toBe(200);
    const session = cookies.find((c) => c.startsWith('sextant_session='))!;
    expect(session).toMatch(/HttpOnly/);
    expect(session).toMatch(/SameSite=Lax/);
    expect(cookies.find((c) => c.startsWith('sextant_csrf='))).not.toMatch(/HttpOnly/);
  });

  it('refuses a weak password and a taken address, naming the field', async () => {
    const weak = await api.call('POST', '/api/auth/register', {
      body: { email: 'x@example.org', name: 'X', password: 'short' },
    });
    expect(weak.status).toBe(400);
    expect(weak.body.errors).toEqual([
      { field: 'password', reason: 'must be 10 to 200 characters' },
    ]);
    const taken = await api.call('POST', '/api/auth/register', {
      body: { email: 'nina@example.org', name: 'Nina 2', password },
    });
    expect(taken.status).toBe(409);
    expect(taken.body).toMatchObject({ code: 'EmailTaken' });
  });

  it('asks anonymous callers to authenticate, but serves health to anyone', async () => {
    expect((await api.call('GET', '/api/nodes')).status).toBe(401);
    expect(
      (await api.graphql('{ nodes { items { id } } }')).body.errors?.[0].extensions,
    ).toMatchObject({
      code: 'Unauthenticated',
    });
    expect((await api.call('GET', '/api/health')).status).not.toBe(401);
  });

  it('accepts cookie-signed changes only with the CSRF token', async () => {
    const { headers } = await signIn('nina@example.org');
    const me = await api.call('GET', '/api/auth/me', { headers: { cookie: headers.cookie } });
    expect(me.status).toBe(200);
    const organisation = (me.body.memberships as { nodeId: string }[])[0].nodeId;
    const node = { kind: 'site', name: 'North', reference: 'nina.north', parentId: organisation };

    const forged = await api.call('POST', '/api/nodes', {
      body: node,
      headers: { cookie: headers.cookie },
    });
    expect(forged.status).toBe(403);
    expect(forged.body).toMatchObject({ code: 'CsrfTokenInvalid' });
    const wrong = await api.call('POST', '/api/nodes', {
      body: node,
      headers: { cookie: headers.cookie, 'x-csrf-token': 'x'.repeat(43) },
    });
    expect(wrong.status).toBe(403);
    const graphqlForged = await api.call('POST', '/graphql', {
      body: { query: 'mutation { createApiToken(input: {name: "x"}) { token } }' },
      headers: { cookie: headers.cookie },
    });
    expect(graphqlForged.status).toBe(403);
    expect((await api.call('POST', '/api/nodes', { body: node, headers })).status).toBe(201);

    expect((await api.call('POST', '/api/auth/sign-out', { headers })).status).toBe(204);
    expect(
      (await api.call('GET', '/api/auth/me', { headers: { cookie: headers.cookie } })).status,
    ).toBe(401);
  });

  it('locks an account after repeated failures, even for the right password, and audits it', async () => {
    await api.call('POST', '/api/auth/register', {
      body: { email: 'lock@example.org', name: 'Lock', password },
    });
    await api.call('POST', '/api/auth/verify-email', {
      body: { token: linkIn(api.logs, 'lock@example.org', 'verify-email') },
    });
    const wrong = 'not the password at all';
    expect((await signIn('lock@example.org', wrong)).answer.status).toBe(401);
    expect((await signIn('lock@example.org', wrong)).answer.status).toBe(401);
    const third = await signIn('lock@example.org', wrong);
    expect(third.answer.status).toBe(429);
    expect(Number(third.answer.headers['retry-after'])).toBeGreaterThan(800); // about 15 minutes
    const right = await signIn('lock@example.org');
    expect(right.answer.status).toBe(429);
    expect(right.answer.body).toMatchObject({ code: 'SignInLocked' });
    expect(right.cookies).toEqual([]);
  });

  it('resets a password by the emailed link, which ends every session', async () => {
    const before = await signIn('nina@example.org');
    expect(before.answer.status).toBe(200);
    expect(
      (
        await api.call('POST', '/api/auth/password-reset/request', {
          body: { email: 'nina@example.org' },
        })
      ).status,
    ).toBe(202);
    // The same answer for an address without an account.
    expect(
      (
        await api.call('POST', '/api/auth/password-reset/request', {
          body: { email: 'nobody@example.org' },
        })
      ).status,
    ).toBe(202);
    const token = linkIn(api.logs, 'nina@example.org', 'reset-password');
    const newPassword = 'a brand new passphrase';
    secrets.push(newPassword);
    expect(
      (
        await api.call('POST', '/api/auth/password-reset', {
          body: { token, password: newPassword },
        })
      ).status,
    ).toBe(204);
    expect(
      (await api.call('GET', '/api/auth/me', { headers: { cookie: before.headers.cookie } }))
        .status,
    ).toBe(401);
    expect((await signIn('nina@example.org')).answer.status).toBe(401);
    expect((await signIn('nina@example.org', newPassword)).answer.status).toBe(200);
  });

  it('gives personal API tokens shown once, hashed, expiring and revocable', async () => {
    const { headers } = await signIn('nina@example.org', 'a brand new passphrase');
    const created = await api.call<{
      id: string;
      token: string;
      prefix: string;
      expiresAt: string;
    }>('POST', '/api/auth/tokens', {
      body: { name: 'script', expiresInDays: 7 },
      headers,
    });
    expect(created.status).toBe(201);
    const token = created.body.token;
    secrets.push(token);
    expect(token).toMatch(/^sxp_[A-Za-z0-9_-]{43}$/);
    expect(new Date(created.body.expiresAt).getTime() - Date.now()).toBeGreaterThan(
      6.9 * 86_400_000,
    );
    const listed = await api.call<Record<string, unknown>[]>('GET', '/api/auth/tokens', { token });
    expect(listed.status).toBe(200);
    expect(JSON.stringify(listed.body)).not.toContain(token);
    expect(listed.body[0]).toMatchObject({ prefix: token.slice(0, 10), revokedAt: null });
    expect((await api.call('GET', '/api/nodes', { token })).status).toBe(200);
    expect(
      (
        await api.call('POST', '/api/nodes', {
          token,
          body: { kind: 'site', name: 'x', reference: 'nina.x' },
        })
      ).status,
    ).toBe(403);

    expect(
      (await api.call('DELETE', `/api/auth/tokens/${created.body.id}`, { token })).status,
    ).toBe(200);
    const refused = await api.call('GET', '/api/nodes', { token });
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({
      code: 'Unauthenticated',
      message: expect.stringMatching(/revoked/),
    });
    expect((await api.call('GET', '/api/nodes', { token: 'sxp_made_up' })).status).toBe(401);
  });

  it('lists sign-ins, failures, lockouts and token changes in the audit log', async () => {
    const { headers } = await signIn('nina@example.org', 'a brand new passphrase');
    const audit = await api.call<{
      items: { action: string; outcome: string; sourceIp: string | null }[];
    }>('GET', '/api/audit?limit=200', { headers });
    expect(audit.status).toBe(200);
    const actions = audit.body.items.map((e) => `${e.action}:${e.outcome}`);
    for (const expected of [
      'auth.sign-in:success',
      'auth.sign-in:failure',
      'auth.password-reset:success',
      'api-token.create:success',
      'api-token.revoke:success',
      'node.create:success',
    ])
      expect(actions).toContain(expected);
    expect(audit.body.items[0].sourceIp).toBeTruthy();
    const failures = await api.call<{ items: { outcome: string }[] }>(
      'GET',
      '/api/audit?outcome=failure&action=auth.',
      { headers },
    );
    expect(failures.body.items.every((e) => e.outcome === 'failure')).toBe(true);
  });

  it('refuses GraphQL queries deeper or costlier than the limits', async () => {
    const { headers } = await signIn('nina@example.org', 'a brand new passphrase');
    const created = await api.call<{ token: string }>('POST', '/api/auth/tokens', {
      body: { name: 'gql' },
      headers,
    });
    secrets.push(created.body.token);
    const deep = `{ nodes { items { ${'children { '.repeat(10)}id${' }'.repeat(10)} } } }`;
    const tooDeep = await api.graphql(deep, undefined, created.body.token);
    expect(tooDeep.status).toBe(400);
    expect(tooDeep.body.errors?.[0].extensions).toMatchObject({ code: 'QueryTooDeep' });
    const costly = await api.graphql(
      '{ nodes(limit: 500) { items { children { children { children { id } } } } } }',
      undefined,
      created.body.token,
    );
    expect(costly.status).toBe(400);
    expect(costly.body.errors?.[0].extensions).toMatchObject({ code: 'QueryTooCostly' });
    // children hold up to 10,000 nodes: nested under a page, they ask for fewer.
    const fine = await api.graphql(
      '{ nodes { items { name children(limit: 100) { name } } } }',
      undefined,
      created.body.token,
    );
    expect(fine.status).toBe(200);
  });

  it('never writes passwords, session secrets or API tokens to the log', () => {
    expect(secrets.length).toBeGreaterThan(5);
    const log = api.logs.join('\n');
    for (const secret of secrets) expect(log).not.toContain(secret);
    // The only secrets in the log are the one-time links of emails (no SMTP here).
    expect(log).not.toMatch(/sx[sp]_[A-Za-z0-9_-]{20}/);
  });
});
