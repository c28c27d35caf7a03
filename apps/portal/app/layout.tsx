import type { Metadata, Viewport } from 'next';
import { headers } from 'next/headers';
import type { ReactNode } from 'react';
import { Shell } from '@/components/shell';
import './globals.css';
import { Providers } from './providers';

export const metadata: Metadata = {
  title: 'Sextant',
  description: 'Monitoring for industrial and scientific fleets',
};

export const viewport: Viewport = { width: 'device-width', initialScale: 1 };

// Applies the saved theme before the first paint, so dark mode never flashes white.
const themeScript = `(function(){try{var t=localStorage.getItem('sextant-theme')||'system';var d=t==='dark'||(t==='system'&&matchMedia('(prefers-color-scheme: dark)').matches);document.documentElement.dataset.theme=d?'dark':'light';document.documentElement.dataset.themeChoice=t;}catch(e){}})();`;

export default async function RootLayout({ children }: { children: ReactNode }) {
  // The Content Security Policy's nonce of this response (proxy.ts).
  const nonce = (await headers()).get('x-nonce') ?? undefined;
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        <script nonce={nonce} dangerouslySetInnerHTML={{ __html: themeScript }} />
      </head>
      <body>
        <Providers>
          <Shell>{children}</Shell>
        </Providers>
      </body>
    </html>
  );
}
