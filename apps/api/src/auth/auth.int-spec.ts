import type { AuthConfig } from '@sextant/config';
import { createTestDatabase, TestDatabase } from '@sextant/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startApi, type ApiHarness } from '../testing/api-harness';

// Accounts end to end through the API in this process, on a real database: registration,
// email links (read from the log, as without SMTP), sessions with CSRF, lockout, password
// reset, personal API tokens, and what must never reach the log.

const password = 'correct horse battery';
const limits: AuthConfig = {
  sessionHours: 1,
  apiTokenDays: 30,
  lockoutThreshold: 3,
  ipThreshold: 1000,
  lockoutMinutes: 15,
  cacheSeconds: 5,
  requireVerifiedEmail: true,
  secureCookies: null,
  rateLimitPerAddress: 1000,
  rateLimitTotal: 10_000,
  emailLimit: 3,
  emailIpLimit: 1000,
};
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
      auth: limits,
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
    expect(registered.status).toBe(202);
    expect(registered.body).toEqual({ email: 'nina@example.org' });

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
    expect(answer.body.user).toMatchObject({ email: 'nina@example.org', emailVerified: true });
    expect((answer.body.user as { memberships: unknown[] }).memberships).toEqual([
      expect.objectContaining({ role: 'owner', nodeName: 'Nina Wind' }),
    ]);
    const session = cookies.find((c) => c.startsWith('sextant_session='))!;
    expect(session).toMatch(/HttpOnly/);
    expect(session).toMatch(/SameSite=Lax/);
    expect(cookies.find((c) => c.startsWith('sextant_csrf='))).not.toMatch(/HttpOnly/);
  });

  it('refuses a weak password, naming the field, and answers a taken address as a new one', async () => {
    const weak = await api.call('POST', '/api/auth/register', {
      body: { email: 'x@example.org', name: 'X', password: 'short' },
    });
    expect(weak.status).toBe(400);
    expect(weak.body.errors).toEqual([
      { field: 'password', reason: 'must be 10 to 200 characters' },
    ]);
    const fresh = await api.call('POST', '/api/auth/register', {
      body: { email: 'Fresh@example.org', name: 'Fresh', password, organisation: 'Fresh Co' },
    });
    const taken = await api.call('POST', '/api/auth/register', {
      body: { email: 'NINA@example.org', name: 'Nina 2', password, organisation: 'Squat Co' },
    });
    expect(taken.status).toBe(fresh.status);
    expect(taken.body).toEqual({ email: 'nina@example.org' });
    expect(Object.keys(taken.body)).toEqual(Object.keys(fresh.body));
    expect(taken.headers['content-type']).toBe(fresh.headers['content-type']);
    // Nothing changed on the account; its owner is told that someone tried.
    const notice = [...api.logs]
      .reverse()
      .find((l) => l.includes('email to nina@example.org') && l.includes('tried to create'));
    expect(notice).toMatch(/already has one/);
    expect(notice).toMatch(/forgot-password/);
    expect(notice).not.toMatch(/verify-email\?token=/);
    expect((await signIn('nina@example.org')).answer.status).toBe(200);
    const organisations = await api.call<{ items: { name: string }[] }>(
      'GET',
      '/api/nodes?kind=organisation&limit=500',
      { headers: (await signIn('nina@example.org')).headers },
    );
    expect(organisations.body.items.map((n) => n.name)).toEqual(['Nina Wind']);
  });

  it('limits account emails to one address, whether or not an account has it', async () => {
    const ask = (path: string, email: string, remoteAddress = '198.51.100.40') =>
      api.call('POST', `/api/auth/${path}`, { body: { email }, remoteAddress });
    // Three emails to one address within the window (AUTH_EMAIL_LIMIT), however asked for:
    // the link of a registration, a reset, a new link.
    const registered = await api.call('POST', '/api/auth/register', {
      body: { email: 'mailer@example.org', name: 'Mailer', password },
      remoteAddress: '198.51.100.40',
    });
    expect(registered.status).toBe(202);
    expect((await ask('password-reset/request', 'mailer@example.org')).status).toBe(202);
    expect((await ask('resend-verification', 'Mailer@example.org')).status).toBe(202);
    const refused = await ask('password-reset/request', 'mailer@example.org', '198.51.100.41');
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ code: 'TooManyRequests' });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(800); // about 15 minutes
    const again = await api.call('POST', '/api/auth/register', {
      body: { email: 'mailer@example.org', name: 'Mailer 2', password },
      remoteAddress: '198.51.100.42',
    });
    expect(again.status).toBe(429);
    // The same for an address without an account: the limit tells nothing about accounts.
    for (let i = 0; i < 3; i++)
      expect((await ask('resend-verification', 'ghost@example.org')).status).toBe(202);
    const ghost = await ask('resend-verification', 'ghost@example.org', '198.51.100.41');
    expect(ghost.status).toBe(refused.status);
    expect(ghost.body.code).toBe(refused.body.code);
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

  it('resets a password by the emailed link, which ends every session and API token', async () => {
    const before = await signIn('nina@example.org');
    expect(before.answer.status).toBe(200);
    const script = await api.call<{ token: string }>('POST', '/api/auth/tokens', {
      body: { name: 'made before the reset' },
      headers: before.headers,
    });
    secrets.push(script.body.token);
    expect((await api.call('GET', '/api/auth/me', { token: script.body.token })).status).toBe(200);
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
    expect((await api.call('GET', '/api/auth/me', { token: script.body.token })).status).toBe(401);
    expect((await signIn('nina@example.org')).answer.status).toBe(401);
    expect((await signIn('nina@example.org', newPassword)).answer.status).toBe(200);
  });

  it('ends the other sessions and the API tokens when the password changes (tokens if asked)', async () => {
    const email = 'fresh@example.org';
    expect(
      (
        await api.call('POST', '/api/auth/verify-email', {
          body: { token: linkIn(api.logs, email, 'verify-email') },
        })
      ).status,
    ).toBe(200);
    const mine = await signIn(email);
    const other = await signIn(email);
    const newToken = async (name: string) => {
      const created = await api.call<{ token: string }>('POST', '/api/auth/tokens', {
        body: { name },
        headers: mine.headers,
      });
      secrets.push(created.body.token);
      return created.body.token;
    };
    const [first, second] = [await newToken('first'), await newToken('second')];
    const status = (options: { token?: string; headers?: Record<string, string> }) =>
      api.call('GET', '/api/auth/me', options).then((a) => a.status);

    const bad = await api.call('POST', '/api/auth/me/password', {
      body: {
        currentPassword: password,
        newPassword: 'another passphrase',
        revokeApiTokens: 'yes',
      },
      headers: mine.headers,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([
      { field: 'revokeApiTokens', reason: 'must be true or false' },
    ]);

    const changed = 'fresh passphrase one';
    secrets.push(changed);
    expect(
      (
        await api.call('POST', '/api/auth/me/password', {
          body: { currentPassword: password, newPassword: changed },
          headers: mine.headers,
        })
      ).status,
    ).toBe(204);
    // The session that made the change goes on; the other and both tokens are over.
    expect(await status({ headers: { cookie: mine.headers.cookie } })).toBe(200);
    expect(await status({ headers: { cookie: other.headers.cookie } })).toBe(401);
    expect(await status({ token: first })).toBe(401);
    expect(await status({ token: second })).toBe(401);

    // Through a token, keeping the tokens: every session ends, the tokens stay.
    const [kept, caller] = [await newToken('kept'), await newToken('caller')];
    const third = await signIn(email, changed);
    const again = 'fresh passphrase two';
    secrets.push(again);
    expect(
      (
        await api.call('POST', '/api/auth/me/password', {
          body: { currentPassword: changed, newPassword: again, revokeApiTokens: false },
          token: caller,
        })
      ).status,
    ).toBe(204);
    expect(await status({ headers: { cookie: mine.headers.cookie } })).toBe(401);
    expect(await status({ headers: { cookie: third.headers.cookie } })).toBe(401);
    expect(await status({ token: kept })).toBe(200);
    expect(await status({ token: caller })).toBe(200);
    const audit = await api.call<{ items: { action: string; details: object }[] }>(
      'GET',
      '/api/audit?action=auth.password-change',
      { token: caller },
    );
    expect(audit.body.items.map((e) => e.details)).toEqual([
      { sessionsRevoked: 2, apiTokensRevoked: 0 },
      { sessionsRevoked: 1, apiTokensRevoked: 2 },
    ]);
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
