import { readFile } from 'node:fs/promises';
import { describe, expect, it } from '@jest/globals';
import { expectWithMessage, inject } from '@sextant/testing';
import { api, graphql } from '../support/http';
import { pathWithToken, postToGateway } from '../support/ingest';

// Against the started apps: authentication is required everywhere but health, cookie sessions
// need their CSRF token, and no password or token ever reaches the apps' output.

describe('security of the running stack', () => {
  const secrets: string[] = [];

  it('refuses calls without credentials on REST and GraphQL, and serves health', async () => {
    const none = { authorization: '' };
    expect((await api('GET', '/api/nodes', undefined, none)).status).toBe(401);
    expect((await api('GET', '/api/movements', undefined, none)).status).toBe(401);
    expect((await api('POST', '/api/paths', { name: 'x' }, none)).status).toBe(401);
    expect(
      (await api('GET', '/api/nodes', undefined, { authorization: 'Bearer sxp_forged' })).status,
    ).toBe(401);
    const reply = await api<{ errors: { extensions: { code: string } }[] }>(
      'POST',
      '/graphql',
      { query: '{ movements { items { id } } }' },
      none,
    );
    expect(reply.body.errors[0].extensions.code).toBe('Unauthenticated');
    expect((await api('GET', '/api/health', undefined, none)).status).toBe(200);
  });

  it('opens a cookie session for a demo account and refuses its changes without the CSRF token', async () => {
    const owner = inject('demoUsers').find((u) => u.email === 'owner@acme.example')!;
    secrets.push(owner.password);
    const signIn = await fetch(`${inject('apiUrl')}/api/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: owner.email, password: owner.password }),
    });
    expect(signIn.status).toBe(200);
    const cookies = signIn.headers.getSetCookie().map((c) => c.split(';')[0]);
    const session = cookies.find((c) => c.startsWith('sextant_session='))!;
    const csrf = cookies.find((c) => c.startsWith('sextant_csrf='))!.split('=')[1];
    secrets.push(session.split('=')[1]);
    const headers = { authorization: '', cookie: cookies.join('; ') };
    expect((await api('GET', '/api/auth/me', undefined, headers)).status).toBe(200);
    const forged = await api('POST', '/api/auth/tokens', { name: 'csrf' }, headers);
    expect(forged.status).toBe(403);
    expect(forged.body.code).toBe('CsrfTokenInvalid');
    const token = await api<{ token: string }>(
      'POST',
      '/api/auth/tokens',
      { name: 'e2e' },
      { ...headers, 'x-csrf-token': csrf },
    );
    expect(token.status).toBe(201);
    secrets.push(token.body.token);
    // The new token works as a bearer token and sees ACME, not Skyline.
    const nodes = await api<{ items: { reference: string }[] }>(
      'GET',
      '/api/nodes?limit=500',
      undefined,
      {
        authorization: `Bearer ${token.body.token}`,
      },
    );
    expect(nodes.body.items.map((n) => n.reference)).toContain('acme');
    expect(nodes.body.items.map((n) => n.reference)).not.toContain('skyline');
    const failed = await api(
      'POST',
      '/api/auth/sign-in',
      { email: owner.email, password: 'wrong password guess' },
      { authorization: '' },
    );
    expect(failed.status).toBe(401);
    secrets.push('wrong password guess');
  });

  it('believes no X-Forwarded-For from a caller of the API itself', async () => {
    const email = `direct.${Date.now().toString(36)}@example.org`;
    const failed = await api(
      'POST',
      '/api/auth/sign-in',
      { email, password: 'not the password at all' },
      { authorization: '', 'x-forwarded-for': '6.6.6.6', 'x-sextant-portal': 'forged' },
    );
    expect(failed.status).toBe(401);
    const audit = await api<{ items: { actorLabel: string; sourceIp: string | null }[] }>(
      'GET',
      '/api/audit?action=auth.sign-in&outcome=failure&limit=200',
    );
    expect(audit.body.items.filter((e) => e.actorLabel === email).map((e) => e.sourceIp)).toEqual([
      '127.0.0.1',
    ]);
  });

  it('never writes passwords, session secrets, API tokens or path tokens to the apps’ output', async () => {
    const { token } = await pathWithToken();
    secrets.push(token.token);
    const written = await postToGateway(
      '/api/v2/write?precision=s',
      'weather,site=x t=1 1795000000',
      {
        authorization: `Token ${token.token}`,
      },
    );
    expect(written.status).toBe(204);
    const refused = await postToGateway('/api/v2/write', 'weather t=1', {
      authorization: 'Token sxt_not_a_real_token_123',
    });
    expect(refused.status).toBe(401);
    secrets.push('sxt_not_a_real_token_123');
    expect((await graphql('{ me { email } }')).status).toBe(200);
    secrets.push(inject('apiToken'));
    await new Promise((r) => setTimeout(r, 500)); // output comes through pipes
    const log = await readFile(inject('stackLogFile'), 'utf8');
    expect(log.length).toBeGreaterThan(100);
    for (const secret of secrets)
      expectWithMessage(log, 'a secret in the log').not.toContain(secret);
  });
});
