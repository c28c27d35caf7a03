import DataLoader from 'dataloader';

export interface BatchOptions<K> {
  /** The key's identity (default: String). */
  keyOf?: (key: K) => string;
  /** Whether a key can be asked at all. */
  accepts?: (key: K) => boolean;
}

/**
 * A loader that is called one key at a time and asks the database once for all the keys asked
 * in the same tick, by any request: GraphQL resolves `children`, `parent` and `ancestors` (and
 * the guard checks their parents) one node at a time, and this turns N such reads into one.
 * It keeps nothing between ticks, so a read never sees an older row than an unbatched one.
 *
 * `load` answers for the distinct keys of a batch; a key it leaves out gets `missing`, and so
 * does a key `accepts` refuses (a malformed id), which must not fail the others' query.
 */
export function batched<K, V>(
  load: (keys: K[]) => Promise<Map<string, V>>,
  missing: V,
  { keyOf = String, accepts = () => true }: BatchOptions<K> = {},
): DataLoader<K, V, string> {
  return new DataLoader<K, V, string>(
    async (keys) => {
      const distinct = [...new Map(keys.map((k) => [keyOf(k), k])).values()].filter(accepts);
      const found = distinct.length ? await load(distinct) : new Map<string, V>();
      return keys.map((k) => (found.has(keyOf(k)) ? found.get(keyOf(k))! : missing));
    },
    { cache: false, cacheKeyFn: keyOf, maxBatchSize: 1000 },
  );
}

/** Groups a batch's keys by a part they share (a limit), for one query per group. */
export function groupBy<K, G>(keys: K[], groupOf: (key: K) => G): Map<G, K[]> {
  const groups = new Map<G, K[]>();
  for (const key of keys) {
    const group = groupOf(key);
    append(groups, group, key);
  }
  return groups;
}

/** Adds a value to the list of its key (made on first use). */
export function append<K, V>(lists: Map<K, V[]>, key: K, value: V): void {
  const list = lists.get(key);
  if (list) list.push(value);
  else lists.set(key, [value]);
}
