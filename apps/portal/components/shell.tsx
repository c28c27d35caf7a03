'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useEffect, useState, type ReactNode } from 'react';

const links = [
  { href: '/', label: 'Overview' },
  { href: '/nodes', label: 'Nodes' },
  { href: '/resources', label: 'Resources' },
  { href: '/paths', label: 'Paths' },
  { href: '/cdc', label: 'CDC' },
  { href: '/items', label: 'Items' },
  { href: '/movements', label: 'Movements' },
  { href: '/explorer', label: 'Explorer' },
  { href: '/jobs', label: 'Jobs' },
  { href: '/alerts', label: 'Alerts' },
  { href: '/maintenance', label: 'Maintenance' },
  { href: '/remaining-life', label: 'Remaining life' },
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

export function Shell({ children }: { children: ReactNode }) {
  const pathname = usePathname();
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
        {links.map((link) => {
          const active = link.href === '/' ? pathname === '/' : pathname.startsWith(link.href);
          return (
            <Link key={link.href} href={link.href} className={active ? 'active' : undefined}>
              {link.label}
            </Link>
          );
        })}
      </nav>
      <main className="content">{children}</main>
    </div>
  );
}
