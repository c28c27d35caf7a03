// Fluentd tag patterns of `mapping.forward.nodes`: `*` matches any run of characters (also
// none), everything else itself. Matched without regular expressions, in time linear in the
// tag and the pattern (a pattern such as `*a*a*a*a*b` made the regex it used to become
// backtrack for seconds), and both lengths are capped.

/** Longest tag pattern a path's `mapping.forward.nodes` may hold. */
export const maxTagPatternLength = 256;
/** Most rules in a path's `mapping.forward.nodes`. */
export const maxTagPatterns = 100;
/** Longest fluentd tag the gateway takes; a message with a longer tag is refused. */
export const maxTagLength = 1024;

/** Counts the character comparisons of matches() (for tests: the cost stays linear). */
export interface MatchSteps {
  count: number;
}

/** A literal piece between two `*`, with its KMP failure table. */
interface Segment {
  text: string;
  failure: Int32Array;
}

function segment(text: string): Segment {
  // failure[i]: length of the longest proper prefix of text[0..i] that is also its suffix.
  const failure = new Int32Array(text.length);
  for (let i = 1, k = 0; i < text.length; i++) {
    while (k > 0 && text.charCodeAt(i) !== text.charCodeAt(k)) k = failure[k - 1];
    if (text.charCodeAt(i) === text.charCodeAt(k)) k++;
    failure[i] = k;
  }
  return { text, failure };
}

/**
 * Where `piece` first occurs in tag[from, end), or -1 (Knuth-Morris-Pratt: each character of
 * the tag is compared a bounded number of times).
 */
function find(tag: string, from: number, end: number, piece: Segment, steps?: MatchSteps): number {
  const { text, failure } = piece;
  let k = 0;
  for (let i = from; i < end; i++) {
    const c = tag.charCodeAt(i);
    while (k > 0 && c !== text.charCodeAt(k)) {
      k = failure[k - 1];
      if (steps) steps.count++;
    }
    if (steps) steps.count++;
    if (c === text.charCodeAt(k)) k++;
    if (k === text.length) return i - k + 1;
  }
  return -1;
}

/** A compiled tag pattern. */
export class TagPattern {
  private readonly prefix: string;
  private readonly suffix: string;
  private readonly middle: Segment[];
  private readonly minLength: number;
  /** No `*`: the tag must equal the pattern. */
  private readonly exact: boolean;

  constructor(readonly source: string) {
    const pieces = source.split('*');
    this.exact = pieces.length === 1;
    this.prefix = pieces[0];
    this.suffix = this.exact ? '' : pieces[pieces.length - 1];
    // Consecutive stars leave empty pieces: they match like one.
    this.middle = pieces
      .slice(1, -1)
      .filter((p) => p.length > 0)
      .map(segment);
    this.minLength =
      this.prefix.length + this.suffix.length + this.middle.reduce((n, s) => n + s.text.length, 0);
  }

  /**
   * Whether the tag matches. With only `*` as wildcard the prefix and suffix are fixed and the
   * pieces between them can be taken at their first occurrence, left to right: no
   * backtracking, at most about 2 × (tag + pattern) comparisons.
   */
  matches(tag: string, steps?: MatchSteps): boolean {
    if (steps) steps.count += this.prefix.length + this.suffix.length;
    if (this.exact) return tag === this.source;
    if (tag.length < this.minLength) return false;
    if (!tag.startsWith(this.prefix) || !tag.endsWith(this.suffix)) return false;
    let from = this.prefix.length;
    const end = tag.length - this.suffix.length;
    for (const piece of this.middle) {
      const at = find(tag, from, end, piece, steps);
      if (at < 0) return false;
      from = at + piece.text.length;
    }
    return true;
  }
}

/** What is wrong with a tag pattern, or null. */
export function tagPatternProblem(pattern: string): string | null {
  if (pattern.length > maxTagPatternLength)
    return `the pattern has ${pattern.length} characters; at most ${maxTagPatternLength} are allowed`;
  return null;
}

/** A path mapping's `mapping.forward.nodes` (tag pattern → node reference), null when absent. */
export function forwardNodeRules(mapping: unknown): Record<string, unknown> | null {
  const forward =
    typeof mapping === 'object' && mapping !== null
      ? (mapping as Record<string, unknown>).forward
      : undefined;
  const nodes =
    typeof forward === 'object' && forward !== null
      ? (forward as Record<string, unknown>).nodes
      : undefined;
  return typeof nodes === 'object' && nodes !== null && !Array.isArray(nodes)
    ? (nodes as Record<string, unknown>)
    : null;
}

/**
 * The problems of a path mapping's `mapping.forward.nodes` (tag pattern → node reference), as
 * field and reason: what the API refuses with 400 and the gateway ignores with a log line.
 */
export function forwardNodeRuleProblems(mapping: unknown): { field: string; reason: string }[] {
  const nodes = forwardNodeRules(mapping);
  if (!nodes) return [];
  const problems: { field: string; reason: string }[] = [];
  const patterns = Object.keys(nodes);
  if (patterns.length > maxTagPatterns)
    problems.push({
      field: 'mapping.forward.nodes',
      reason: `has ${patterns.length} rules; at most ${maxTagPatterns} are allowed`,
    });
  for (const pattern of patterns) {
    const problem = tagPatternProblem(pattern);
    if (problem)
      problems.push({
        field: `mapping.forward.nodes["${pattern.slice(0, 40)}${pattern.length > 40 ? '…' : ''}"]`,
        reason: problem,
      });
  }
  return problems;
}
