// Canonical series keys, as Influx writes them: measurement,tag=v,... field with tags sorted
// by key and the separators escaped, so that the same series always has the same key.

function escape(text: string, specials: RegExp): string {
  return text.replace(specials, (c) => `\\${c}`);
}

/** `measurement,k1=v1,k2=v2 field` with sorted tag keys. */
export function seriesKey(
  measurement: string,
  tags: Record<string, string> | undefined,
  field: string,
): string {
  let key = escape(measurement, /[ ,\\]/g);
  if (tags) {
    const names = Object.keys(tags).sort();
    for (const name of names)
      key += `,${escape(name, /[ ,=\\]/g)}=${escape(tags[name], /[ ,=\\]/g)}`;
  }
  return `${key} ${escape(field, /[ ,=\\]/g)}`;
}

/** Tags with sorted keys, as stored with the series. */
export function sortedTags(tags: Record<string, string> | undefined): Record<string, string> {
  const sorted: Record<string, string> = {};
  if (tags) for (const name of Object.keys(tags).sort()) sorted[name] = tags[name];
  return sorted;
}

/**
 * A series' identity in the store: its key on its node. The same key on two nodes (two
 * organisations writing `scada,turbine=T01 power`) is two series. Series without a node share
 * one scope of their own.
 */
export function scopedSeriesKey(nodeId: string | null | undefined, key: string): string {
  return `${nodeId ?? ''}\u0000${key}`;
}
