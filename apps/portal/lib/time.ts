/** "just now", "12 s ago", "5 min ago", "3 h ago", "4 d ago" for an ISO time before `now`. */
export function timeAgo(iso: string, now: number = Date.now()): string {
  const seconds = Math.floor((now - Date.parse(iso)) / 1000);
  if (seconds < 5) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86_400)} d ago`;
}

/** A date and time for a title or a table, to the second, in the browser's zone. */
export function dateTime(iso: string): string {
  return new Date(iso).toLocaleString(undefined, {
    dateStyle: 'medium',
    timeStyle: 'medium',
  });
}

/** "in 12 s", "in 3 min", or "now" once it has passed: for an ISO time after `now`. */
export function timeUntil(iso: string, now: number = Date.now()): string {
  const seconds = Math.ceil((Date.parse(iso) - now) / 1000);
  if (seconds <= 0) return 'now';
  if (seconds < 60) return `in ${seconds} s`;
  if (seconds < 3600) return `in ${Math.ceil(seconds / 60)} min`;
  return `in ${Math.round(seconds / 3600)} h`;
}

/**
 * A billing period [start, end) as days, UTC: '2026-11-01 – 2026-11-30' (the end is exclusive,
 * so the last day shown is the one before it).
 */
export function periodText(start: string, end: string): string {
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return `${day(Date.parse(start))} – ${day(Date.parse(end) - 1)}`;
}
