'use client';

import Link from 'next/link';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import type { ReactNode } from 'react';
import type { InvoiceState } from '@/lib/api';
import { formatMoney } from '@/lib/format';
import { canAnywhere, membershipsAllowing, useMe } from '@/lib/session';
import { useNodes } from './lookups';

/** An amount of the API (a decimal string) in its currency, never through a JS number. */
export function Money({
  amount,
  currency,
  digits,
  testId,
}: {
  amount: string;
  currency: string;
  digits?: number;
  testId?: string;
}) {
  return (
    <span className="money" data-testid={testId} data-amount={amount}>
      {formatMoney(amount, currency, digits)}
    </span>
  );
}

const stateClass: Record<InvoiceState, string> = {
  draft: 'badge-idle',
  finalised: 'badge-busy',
  paid: 'badge-ok',
  void: 'badge-bad',
};

export function InvoiceStateBadge({ state }: { state: InvoiceState }) {
  return (
    <span className={`badge ${stateClass[state]}`} data-testid="invoice-state">
      {state}
    </span>
  );
}

/** The organisations the signed-in user may see the billing of (all of them for admins). */
export function useBillingOrganisations(): { id: string; name: string }[] | undefined {
  const me = useMe();
  const nodes = useNodes();
  if (!me.data) return undefined;
  if (me.data.platformAdmin) {
    if (!nodes.data) return undefined;
    return nodes.data.items
      .filter((n) => n.kind === 'organisation')
      .map((n) => ({ id: n.id, name: n.name }));
  }
  const seen = new Map<string, string>();
  for (const m of membershipsAllowing(me.data, 'billing.read'))
    if (m.nodeKind === 'organisation') seen.set(m.nodeId, m.nodeName);
  return [...seen].map(([id, name]) => ({ id, name }));
}

/**
 * The organisation a billing page works on: ?organisation=<id> in the address (so links and
 * reloads keep it), else the first the user may bill.
 */
export function useBillingOrganisation(options: { allowAll?: boolean } = {}): {
  organisations: { id: string; name: string }[] | undefined;
  /** undefined while loading, and for "all" when allowed. */
  organisationId: string | undefined;
  /** The picker's answer is known (the organisations are loaded). */
  ready: boolean;
  allowAll: boolean;
  choose: (id: string) => void;
} {
  const organisations = useBillingOrganisations();
  const me = useMe();
  const search = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  // "All organisations" is for those who may see them all: the platform's administrators.
  const allowAll = !!options.allowAll && !!me.data?.platformAdmin;
  const asked = search.get('organisation');
  const organisationId =
    organisations?.find((o) => o.id === asked)?.id ??
    (allowAll ? undefined : organisations?.[0]?.id);
  const choose = (id: string) => {
    const next = new URLSearchParams(search.toString());
    if (id) next.set('organisation', id);
    else next.delete('organisation');
    const text = next.toString();
    router.replace(text ? `${pathname}?${text}` : pathname);
  };
  return { organisations, organisationId, ready: !!organisations, allowAll, choose };
}

export function OrganisationPicker({
  organisations,
  organisationId,
  allowAll,
  choose,
}: ReturnType<typeof useBillingOrganisation>) {
  if (!organisations) return null;
  return (
    <>
      <label htmlFor="billing-organisation">Organisation</label>
      <select
        id="billing-organisation"
        value={organisationId ?? ''}
        onChange={(e) => choose(e.target.value)}
        style={{ width: 'auto' }}
      >
        {allowAll ? <option value="">all organisations</option> : null}
        {organisations.map((o) => (
          <option key={o.id} value={o.id}>
            {o.name}
          </option>
        ))}
      </select>
    </>
  );
}

const sections = [
  { href: '/billing', label: 'Usage' },
  { href: '/billing/invoices', label: 'Invoices' },
  { href: '/billing/plans', label: 'Plans' },
  { href: '/billing/reports', label: 'Reports', platform: true },
];

/**
 * The billing pages' frame: a clear "no access" without billing.read anywhere (no amount is
 * asked for, let alone shown), else the section links and the page.
 */
export function BillingFrame({
  children,
  platformOnly = false,
}: {
  children: ReactNode;
  /** The page is for the platform's administrators (billing.report). */
  platformOnly?: boolean;
}) {
  const me = useMe();
  const pathname = usePathname();
  const search = useSearchParams();
  if (!me.data) return <p className="muted">Loading…</p>;
  const allowed = platformOnly
    ? canAnywhere(me.data, 'billing.report')
    : canAnywhere(me.data, 'billing.read');
  if (!allowed)
    return (
      <section>
        <h1>Billing</h1>
        <div className="notice" data-testid="billing-no-access">
          You have no access to billing:{' '}
          {platformOnly
            ? "this page is for the platform's administrators."
            : 'only owners and billing members of an organisation see its usage, invoices and plans.'}
        </div>
      </section>
    );
  const organisation = search.get('organisation');
  const keep = organisation ? `?organisation=${encodeURIComponent(organisation)}` : '';
  return (
    <>
      <nav className="billing-tabs" aria-label="Billing">
        {sections
          .filter((s) => !s.platform || canAnywhere(me.data, 'billing.report'))
          .map((s) => {
            const active =
              s.href === '/billing' ? pathname === '/billing' : pathname.startsWith(s.href);
            return (
              <Link
                key={s.href}
                href={`${s.href}${keep}`}
                className={active ? 'button primary' : 'button'}
                aria-current={active ? 'page' : undefined}
              >
                {s.label}
              </Link>
            );
          })}
      </nav>
      {children}
    </>
  );
}
