import { request } from 'node:http';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectWithMessage, inject } from '@sextant/testing';
import { chromiumFor, demoUser, launchChromium } from '../support/browser';
import { api } from '../support/http';

const hasChromium = chromiumFor('portal security');

/** POSTs JSON to the portal from a chosen local address, with extra headers. */
function postFrom(
  localAddress: string,
  path: string,
  body: unknown,
  headers: Record<string, string>,
): Promise<number> {
  const url = new URL(path, inject('portalUrl'));
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const call = request(
      url,
      {
        method: 'POST',
        localAddress,
        headers: { 'content-type': 'application/json', ...headers },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    call.on('error', reject);
    call.end(payload);
  });
}

/** The client addresses the audit log holds for failed sign-ins of `email`. */
async function auditedAddresses(email: string): Promise<(string | null)[]> {
  const audit = await api<{ items: { actorLabel: string; sourceIp: string | null }[] }>(
    'GET',
    '/api/audit?action=auth.sign-in&outcome=failure&limit=200',
  );
  return audit.body.items.filter((e) => e.actorLabel === email).map((e) => e.sourceIp);
}

describe('the portal as an attacker meets it', () => {
  const unique = Date.now().toString(36);

  it('replaces X-Forwarded-For with the address it sees before passing a request to the API', async () => {
    const email = `xff.${unique}@example.org`;
    // From 127.0.0.2 (another address of the loopback network), claiming to be elsewhere and
    // to be the portal itself.
    const status = await postFrom(
      '127.0.0.2',
      '/api/auth/sign-in',
      { email, password: 'not the password at all' },
      { 'x-forwarded-for': '6.6.6.6', 'x-real-ip': '6.6.6.7', 'x-sextant-portal': 'forged' },
    );
    expect(status).toBe(401);
    // The API believes the portal's hop (proven with the secret key), and nothing the client wrote.
    expect(await auditedAddresses(email)).toEqual(['127.0.0.2']);
  });

  it('sends a Content Security Policy with a fresh nonce and no framing on every page', async () => {
    const policies: string[] = [];
    for (const page of ['/sign-in', '/', '/paths', '/profile']) {
      const response = await fetch(`${inject('portalUrl')}${page}`, { redirect: 'manual' });
      const policy = response.headers.get('content-security-policy') ?? '';
      expectWithMessage(policy, page).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{20,}'/);
      expectWithMessage(policy, page).toContain("frame-ancestors 'none'");
      expectWithMessage(policy, page).toContain("object-src 'none'");
      // No remote origin anywhere, and no inline script without the nonce.
      expectWithMessage(policy, page).not.toMatch(/https?:|\*/);
      expectWithMessage(/script-src [^;]*/.exec(policy)?.[0], page).not.toContain('unsafe-inline');
      expectWithMessage(response.headers.get('x-frame-options'), page).toBe('DENY');
      policies.push(policy);
    }
    expect(new Set(policies).size).toBe(policies.length);
  });
});

(!hasChromium ? describe.skip : describe)('portal security in Chromium', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('stays on the portal after signing in with next=/\\host', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    const portal = inject('portalUrl');
    const { email, password } = demoUser('viewer@acme.example');
    await page.goto(`${portal}/sign-in?next=${encodeURIComponent('/\\evil.example/x')}`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // The start page of the portal (before the fix: http://evil.example/x).
    await page.waitForURL(`${portal}/`);
    await page.getByTestId('signed-in-as').waitFor();
    await context.close();
  });
});
