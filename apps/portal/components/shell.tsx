'use client';

import type { Action } from '@sextant/policy';
import { useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import { useEffect, useState, type ReactNode } from 'react';
import { api } from '@/lib/api';
import { canAnywhere, publicPages, useMe } from '@/lib/session';

// Each link shows only to those whose roles allow what the page is for (libs/policy).
const links: { href: string; label: string; action?: Action }[] = [
  { href: '/', label: 'Overview' },
  { href: '/nodes', label: 'Nodes', action: 'node.read' },
  { href: '/resources', label: 'Resources' },
  { href: '/paths', label: 'Paths', action: 'path.read' },
  { href: '/cdc', label: 'CDC', action: 'cdc.read' },
  { href: '/items', label: 'Items', action: 'item.read' },
  { href: '/movements', label: 'Movements', action: 'movement.read' },
  { href: '/explorer', label: 'Explorer', action: 'series.read' },
  { href: '/jobs', label: 'Jobs', action: 'job.read' },
  { href: '/alerts', label: 'Alerts', action: 'alert.read' },
  { href: '/maintenance', label: 'Maintenance', action: 'maintenance.read' },
  { href: '/remaining-life', label: 'Remaining life', action: 'maintenance.read' },
  { href: '/billing', label: 'Billing', action: 'billing.read' },
  { href: '/members', label: 'Members', action: 'member.read' },
  { href: '/audit', label: 'Audit log', action: 'audit.read' },
];

type Theme = 'light' | 'dark' | 'system';

function applyTheme(choice: Theme) {
  const dark =
    choice === 'dark' ||
    (choice === 'system' && window.matchMedia('(prefers-color-scheme: dark)').matches);
  document.documentElement.dataset.theme = dark ? 'dark' : 'light';
  document.documentElement.dataset.themeChoice = choice;
  localStorage.setItem('sextant-theme', choice);
}

function Account() {
  const me = useMe();
  const router = useRouter();
  const client = useQueryClient();
  if (!me.data) return <Link href="/sign-in">Sign in</Link>;
  return (
    <span className="account">
      <Link href="/profile" data-testid="signed-in-as" title={me.data.email}>
        {me.data.name}
      </Link>
      <button
        type="button"
        onClick={async () => {
          await api('/api/auth/sign-out', { method: 'POST' }).catch(() => undefined);
          client.clear();
          router.push('/sign-in');
        }}
      >
        Sign out
      </button>
    </span>
  );
}

export function Shell({ children }: { children: ReactNode }) {
  const pathname = usePathname();
  const router = useRouter();
  const me = useMe();
  const isPublic = publicPages.some((p) => pathname.startsWith(p));
  // Signed out on a page that needs an account: to the sign-in page, then back here.
  useEffect(() => {
    if (!isPublic && me.isSuccess && me.data === null)
      router.replace(`/sign-in?next=${encodeURIComponent(pathname)}`);
  }, [isPublic, me.isSuccess, me.data, pathname, router]);
  const [menuOpen, setMenuOpen] = useState(false);
  const [theme, setTheme] = useState<Theme>('system');

  useEffect(() => {
    setTheme((document.documentElement.dataset.themeChoice as Theme) ?? 'system');
  }, []);
  useEffect(() => setMenuOpen(false), [pathname]);

  const cycle = () => {
    const next: Theme = theme === 'system' ? 'dark' : theme === 'dark' ? 'light' : 'system';
    setTheme(next);
    applyTheme(next);
  };

  return (
    <div className="shell">
      <header className="topbar">
        <button
          className="menu-button"
          aria-label="Menu"
          aria-expanded={menuOpen}
          onClick={() => setMenuOpen(!menuOpen)}
        >
          ☰
        </button>
        <Link href="/" className="brand">
          <span className="brand-mark">✦</span> Sextant
        </Link>
        <Account />
        <button
          className="theme-toggle"
          onClick={cycle}
          data-testid="theme-toggle"
          title="Theme: light, dark or follow the system"
        >
          Theme: {theme}
        </button>
      </header>
      <nav className={`sidenav${menuOpen ? ' open' : ''}`} aria-label="Main">
        {links
          .filter((link) => !link.action || canAnywhere(me.data, link.action))
          .map((link) => {
            const active = link.href === '/' ? pathname === '/' : pathname.startsWith(link.href);
            return (
              <Link key={link.href} href={link.href} className={active ? 'active' : undefined}>
                {link.label}
              </Link>
            );
          })}
      </nav>
      <main className="content">
        {isPublic || me.data ? children : <p className="muted">Loading…</p>}
      </main>
    </div>
  );
}
