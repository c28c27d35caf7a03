// MQTT topic filters (MQTT 3.1.1 §4.7): `+` matches one level, `#` (last) any number of levels
// including none; wildcards at the first level do not match topics starting with `$`.
// `$share/<group>/<filter>` is a shared subscription: the broker hands each message to one
// member of the group, and it matches as <filter>.

/** Why a topic filter is invalid, or null when it is valid. */
export function filterProblem(filter: string): string | null {
  if (filter === '') return 'a topic filter cannot be empty';
  if (Buffer.byteLength(filter) > 65_535) return 'a topic filter is at most 65,535 bytes';
  if (filter.includes('\u0000')) return 'a topic filter cannot contain U+0000';
  const matched = matchedFilter(filter);
  if (filter.startsWith('$share/') && (matched === '' || filter.startsWith('$share//')))
    return `${JSON.stringify(filter)}: a shared subscription is $share/<group>/<filter>`;
  const levels = matched.split('/');
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i];
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1))
      return `${JSON.stringify(filter)}: # must be a whole level, and the last`;
    if (level.includes('+') && level !== '+')
      return `${JSON.stringify(filter)}: + must be a whole level`;
  }
  return null;
}

/** The filter that topics are matched against: without a `$share/<group>/` prefix. */
export function matchedFilter(filter: string): string {
  if (!filter.startsWith('$share/')) return filter;
  const groupEnd = filter.indexOf('/', '$share/'.length);
  return groupEnd < 0 ? '' : filter.slice(groupEnd + 1);
}

/** Whether a topic matches a (valid) topic filter. */
export function topicMatches(filter: string, topic: string): boolean {
  const f = matchedFilter(filter).split('/');
  const t = topic.split('/');
  if (topic.startsWith('$') && (f[0] === '+' || f[0] === '#')) return false;
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

/**
 * Orders filters from the most specific: fewer `#`, then fewer `+`, then more levels. When the
 * filters of two paths both match a topic, the more specific one's path takes the message.
 */
export function compareSpecificity(a: string, b: string): number {
  const score = (filter: string) => {
    const levels = matchedFilter(filter).split('/');
    return [
      levels.filter((l) => l === '#').length,
      levels.filter((l) => l === '+').length,
      -levels.length,
    ];
  };
  const [x, y] = [score(a), score(b)];
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return 0;
}
