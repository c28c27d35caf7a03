import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { inject } from '@sextant/testing';
import { chromiumFor, launchChromium, signedInPage, signIn } from '../support/browser';
import { api } from '../support/http';

const hasChromium = chromiumFor('accounts');

/** The link of the last email to `email` that the API wrote to its log (no SMTP here). */
async function linkInLog(email: string, page: string): Promise<string> {
  for (let tries = 0; tries < 50; tries++) {
    const log = await readFile(inject('stackLogFile'), 'utf8');
    const mail = log.lastIndexOf(`email to ${email}`);
    const match =
      mail >= 0 ? new RegExp(`${page}\\?token=([A-Za-z0-9_-]+)`).exec(log.slice(mail)) : null;
    if (match) return `${inject('portalUrl')}/${page}?token=${match[1]}`;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no ${page} link to ${email} in the stack's log`);
}

(!hasChromium ? describe.skip : describe)('accounts, roles and invitations in Chromium', () => {
  let browser: Browser;
  const portal = () => inject('portalUrl');
  const shot = (page: Page, name: string) =>
    page.screenshot({ path: path.join(inject('artefactsDir'), `${name}.png`), fullPage: true });
  const unique = Date.now().toString(36);

  beforeAll(async () => {
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('sends a signed-out visitor to the sign-in page, and back after signing in', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    await page.goto(`${portal()}/paths`);
    await page.waitForURL(/\/sign-in\?next=%2Fpaths/);
    await page.getByLabel('Email').fill('viewer@acme.example');
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(await page.getByTestId('form-error').textContent()).toMatch(/wrong email or password/);
    await context.close();
  });

  it('shows a viewer no create buttons and keeps it out of the admin pages', async () => {
    const page = await signedInPage(browser, 'viewer@acme.example');
    await page.goto(`${portal()}/nodes`);
    await page.getByRole('link', { name: 'ACME Renewables' }).first().waitFor();
    expect(await page.getByRole('link', { name: 'New node' }).count()).toBe(0);
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link', { name: 'Members' }).count()).toBe(0);
    expect(await nav.getByRole('link', { name: 'Audit log' }).count()).toBe(0);
    // Skyline's nodes are not there at all.
    expect(await page.getByRole('link', { name: 'Skyline Observatory' }).count()).toBe(0);
    await shot(page, 'accounts-01-viewer-nodes');

    await page.goto(`${portal()}/paths`);
    await page.getByRole('link', { name: 'T01 SCADA to ACME lake' }).waitFor();
    expect(await page.getByRole('link', { name: 'New path' }).count()).toBe(0);
    await page.getByRole('link', { name: 'T01 SCADA to ACME lake' }).click();
    await page.getByTestId('path-tokens').waitFor();
    expect(await page.getByRole('button', { name: 'Create token' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Edit' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Delete' }).count()).toBe(0);

    for (const adminPage of ['members', 'audit']) {
      await page.goto(`${portal()}/${adminPage}`);
      await page.getByTestId('no-access').waitFor();
    }
    await shot(page, 'accounts-02-viewer-no-access');
    // And the API says the same, whatever the portal shows.
    await page.goto(`${portal()}/profile`);
    await page.getByTestId('my-roles').waitFor();
    expect(await page.getByTestId('my-roles').textContent()).toContain('viewer on ACME Renewables');
    await page.context().close();
  });

  it('renders markup in names as text, never as script', async () => {
    const nodes = await api<{ items: { id: string; reference: string }[] }>(
      'GET',
      '/api/nodes?kind=organisation',
    );
    const acme = nodes.body.items.find((n) => n.reference === 'acme')!.id;
    const name = `<img src=x onerror="window.__pwned=1"> ${unique}`;
    const created = await api('POST', '/api/nodes', {
      parentId: acme,
      kind: 'site',
      name,
      reference: `acme.xss-${unique}`,
    });
    expect(created.status).toBe(201);
    const page = await signedInPage(browser, 'viewer@acme.example');
    await page.goto(`${portal()}/nodes`);
    await page.getByLabel('Search').fill(unique);
    await page.getByRole('link', { name }).waitFor();
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    await page.context().close();
  });

  it('asks whether a password change also revokes the API tokens, and ends the other sessions', async () => {
    const email = `changer.${unique}@example.org`;
    const first = 'the first long password';
    const none = { authorization: '' };
    expect(
      (
        await api(
          'POST',
          '/api/auth/register',
          { email, name: 'Cher Changer', password: first },
          none,
        )
      ).status,
    ).toBe(202);
    const verify = new URL(await linkInLog(email, 'verify-email')).searchParams.get('token');
    expect((await api('POST', '/api/auth/verify-email', { token: verify }, none)).status).toBe(200);
    const newPage = async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      page.setDefaultTimeout(30_000);
      return page;
    };
    const page = await newPage();
    await signIn(page, email, first);
    const elsewhere = await newPage();
    await signIn(elsewhere, email, first);

    let previous = '\u0000';
    const newToken = async (name: string) => {
      await page.getByLabel('Token name').fill(name);
      await page.getByRole('button', { name: 'Create API token' }).click();
      const shown = page.getByTestId('new-api-token');
      await shown.filter({ hasNotText: previous }).waitFor();
      previous = (await shown.textContent())!;
      return previous;
    };
    const answers = async (token: string) =>
      (await api('GET', '/api/auth/me', undefined, { authorization: `Bearer ${token}` })).status;
    const change = async (from: string, to: string) => {
      await page.getByLabel('Current password').fill(from);
      await page.getByLabel('New password').fill(to);
      await page.getByRole('button', { name: 'Change password' }).click();
    };

    await page.goto(`${portal()}/profile`);
    const revoke = page.getByRole('checkbox', { name: /Also revoke my API tokens/ });
    // Asked, with revoking as the default.
    expect(await revoke.isChecked()).toBe(true);
    const script = await newToken('nightly script');
    expect(await answers(script)).toBe(200);
    await change(first, 'the second long password');
    await page
      .getByTestId('password-changed')
      .filter({ hasText: /API tokens are revoked/ })
      .waitFor();
    expect(await answers(script)).toBe(401);
    await page
      .getByTestId('api-tokens')
      .getByRole('row', { name: /nightly script/ })
      .getByText('revoked')
      .waitFor();
    await shot(page, 'accounts-06-password-changed');
    // This browser stays signed in; the other session is over.
    await page.reload();
    await page.getByTestId('my-roles').waitFor();
    await elsewhere.goto(`${portal()}/paths`);
    await elsewhere.waitForURL(/\/sign-in\?next=/);

    // Unticked, the tokens stay.
    const kept = await newToken('kept script');
    await page.getByRole('checkbox', { name: /Also revoke my API tokens/ }).uncheck();
    await change('the second long password', 'the third long password');
    await page
      .getByTestId('password-changed')
      .filter({ hasText: /API tokens still work/ })
      .waitFor();
    expect(await answers(kept)).toBe(200);
    await page.context().close();
    await elsewhere.context().close();
  });

  it('lets an owner invite someone, who signs up through the link in the log', async () => {
    const owner = await signedInPage(browser, 'owner@acme.example');
    await owner.goto(`${portal()}/members`);
    await owner
      .getByTestId('members')
      .getByRole('cell', { name: 'viewer@acme.example', exact: true })
      .waitFor();
    const email = `new.operator.${unique}@example.org`;
    await owner.getByLabel('Role', { exact: true }).selectOption('operator');
    await owner.getByLabel('Email to invite').fill(email);
    await owner.getByRole('button', { name: 'Invite' }).click();
    await owner.getByTestId('invited').waitFor();
    await owner
      .getByTestId('invitations')
      .getByRole('cell', { name: email, exact: true })
      .waitFor();
    await shot(owner, 'accounts-03-owner-invites');

    const link = await linkInLog(email, 'invitations/accept');
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const invited = await context.newPage();
    invited.setDefaultTimeout(30_000);
    await invited.goto(link);
    expect(await invited.getByTestId('invitation').textContent()).toMatch(
      /ACME Renewables as operator/,
    );
    await invited.getByLabel('Your name').fill('Olly Operator');
    await invited.getByLabel(/Choose a password/).fill('a long enough password');
    await invited.getByRole('button', { name: 'Create account and accept' }).click();
    await invited.getByTestId('signed-in-as').filter({ hasText: 'Olly Operator' }).waitFor();
    // An operator manages paths, so may create one, but sees no members page.
    await invited.goto(`${portal()}/paths`);
    await invited.getByRole('link', { name: 'New path' }).waitFor();
    expect(
      await invited
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'Members' })
        .count(),
    ).toBe(0);
    await shot(invited, 'accounts-04-invited-operator');

    await owner.reload();
    await owner.getByTestId('members').getByRole('cell', { name: email, exact: true }).waitFor();
    // The link works once.
    const again = await browser.newContext();
    const reuse = await again.newPage();
    await reuse.goto(link);
    await reuse.getByTestId('error-banner').waitFor();
    expect(await reuse.getByTestId('error-banner').textContent()).toMatch(
      /unknown, used, revoked or expired/,
    );
    await again.close();

    // Signing out ends the session: the next page asks to sign in again.
    await invited.getByRole('button', { name: 'Sign out' }).click();
    await invited.waitForURL(/\/sign-in/);
    await invited.goto(`${portal()}/paths`);
    await invited.waitForURL(/\/sign-in\?next=/);
    await context.close();

    await owner.goto(`${portal()}/audit`);
    await owner.getByRole('cell', { name: 'invitation.accept' }).first().waitFor();
    await shot(owner, 'accounts-05-audit');
    await owner.context().close();
  });
});
