// Where the sign-in page sends people afterwards (its `next` parameter): a page of this portal
// only, or the start page. The check resolves `next` as the browser would (tabs and newlines
// dropped, backslashes read as slashes, `//host` as another host), so nothing passes it that
// the browser would then take elsewhere.

/** `next` resolved against the portal's origin when it stays there; else the start page. */
export function pageAfterSignIn(next: string | null, origin: string): string {
  const home = new URL('/', origin);
  if (!next) return home.href;
  let target: URL;
  try {
    target = new URL(next, home);
  } catch {
    return home.href;
  }
  return target.origin === home.origin ? target.href : home.href;
}
