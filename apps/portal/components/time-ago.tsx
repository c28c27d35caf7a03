'use client';

import { useEffect, useState } from 'react';
import { dateTime, timeAgo } from '@/lib/time';

/** The current time, ticking every second (for "12 s ago" that keeps counting). */
export function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

/** "12 s ago" for a past time, its date and time on hover; `never` without one. */
export function Ago({ iso, now }: { iso: string | null; now: number }) {
  if (!iso) return <span className="muted">never</span>;
  return (
    <time dateTime={iso} title={dateTime(iso)}>
      {timeAgo(iso, now)}
    </time>
  );
}
