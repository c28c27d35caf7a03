// MQTT topic filters (MQTT 3.1.1 §4.7): `+` matches one level, `#` (last) any number of levels
// including none; wildcards at the first level do not match topics starting with `$`.
// `$share/<group>/<filter>` is a shared subscription: the broker hands each message to one
// member of the group, and it matches as <filter>.
//
// One broker serves every organisation, so topics are namespaced: the first level of every
// filter of a path is the reference of its organisation (`acme/plant1/+/telemetry`).

/** Why a topic filter is invalid, or null when it is valid. */
export function filterProblem(filter: string): string | null {
  if (filter === '') return 'a topic filter cannot be empty';
  if (Buffer.byteLength(filter) > 65_535) return 'a topic filter is at most 65,535 bytes';
  if (filter.includes('\u0000')) return 'a topic filter cannot contain U+0000';
  const matched = matchedFilter(filter);
  if (filter.startsWith('$share/')) {
    const group = filter.slice('$share/'.length).split('/')[0];
    if (matched === '' || group === '' || /[+#]/.test(group))
      return `${JSON.stringify(filter)}: a shared subscription is $share/<group>/<filter>, the group without + or #`;
  }
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

const isWildcard = (level: string) => level === '+' || level === '#';

/** Whether some topic matches both (valid) filters: then two paths would compete for it. */
export function filtersOverlap(a: string, b: string): boolean {
  const x = matchedFilter(a).split('/');
  const y = matchedFilter(b).split('/');
  // A wildcard at the first level never reaches a `$` topic.
  if ((isWildcard(x[0]) && y[0].startsWith('$')) || (isWildcard(y[0]) && x[0].startsWith('$')))
    return false;
  for (let i = 0; ; i++) {
    const [p, q] = [x[i], y[i]];
    // `#` takes this level and everything below it, including nothing (`a/#` matches `a`).
    if (p === '#' || q === '#') return true;
    if (p === undefined || q === undefined) return p === q;
    if (p !== '+' && q !== '+' && p !== q) return false;
  }
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

/** The namespace a topic is in: its first level. */
export function topicNamespace(topic: string): string {
  const end = topic.indexOf('/');
  return end < 0 ? topic : topic.slice(0, end);
}

/**
 * Why a (valid) filter may not be subscribed for a path of the organisation whose reference is
 * `namespace` (null: the path's source is in no organisation), or null when it may.
 */
export function namespaceProblem(filter: string, namespace: string | null): string | null {
  const matched = matchedFilter(filter);
  const first = topicNamespace(matched);
  const quoted = JSON.stringify(filter);
  if (first.startsWith('$'))
    return `${quoted}: topics starting with $ ($SYS and the like) belong to the broker`;
  if (namespace === null)
    return 'the path’s source is in no organisation, so its topics have no namespace: an MQTT path starts at a node inside an organisation';
  if (isWildcard(first))
    return `${quoted}: a wildcard at the first level would take other organisations’ topics; start the filter with ${namespace}/`;
  if (first !== namespace) {
    const example = `${namespace}/${matched}`;
    return `${quoted} is outside the organisation’s namespace: start it with ${namespace}/ (for example ${JSON.stringify(example)}), and have devices publish there`;
  }
  return null;
}

/** A filter of the namespace `from` moved to `to` (its `$share/<group>/` kept); others as they are. */
export function moveToNamespace(filter: string, from: string, to: string): string {
  const matched = matchedFilter(filter);
  if (topicNamespace(matched) !== from) return filter;
  const share = filter.slice(0, filter.length - matched.length);
  return `${share}${to}${matched.slice(from.length)}`;
}
