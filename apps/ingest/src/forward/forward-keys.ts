import { openSecret, sealSecret, SecretError } from '@sextant/config';
import { tokenHashOfKey } from '@sextant/ingest';
import type { ForwardRepository, SealedKeyRow } from './forward.repository';

/** A shared key a forward client may prove, and the token_hash of its token. */
export interface ForwardKey {
  key: string;
  tokenHash: string;
}

/**
 * The shared keys of the tokens that may write now, opened with the platform secret. They are
 * read when a token or path changes (the database notifies it, see watch()) and otherwise at
 * most once per `maxAgeMs`, whatever the handshakes ask: a failed handshake never reads them
 * afresh. Each key is opened once. The path of a matching key is read again before use, so a
 * revoked token is never accepted.
 */
export class ForwardKeys {
  private cache: { keys: ForwardKey[]; loadedAt: number } | null = null;
  private loading: Promise<ForwardKey[]> | null = null;
  /** Bumped by each change notice: a read begun before it is not kept. */
  private generation = 0;
  /** Opened keys by token id (null: the sealed key does not open), kept while the token is. */
  private readonly opened = new Map<string, ForwardKey | null>();

  constructor(
    private readonly repository: ForwardRepository,
    private readonly secretKey: string,
    private readonly log: (line: string) => void,
    private readonly maxAgeMs = 1000,
  ) {}

  /** Reads the keys again on each change of a token or path; gives the function that stops. */
  watch(): Promise<() => Promise<void>> {
    return this.repository.watchTokens(() => this.invalidate(), this.log);
  }

  /** Forgets the keys read so far: the next handshake reads them again. */
  invalidate(): void {
    this.generation++;
    this.cache = null;
    this.loading = null;
  }

  /** The current keys (concurrent callers share one read). */
  current(now = Date.now()): Promise<ForwardKey[]> {
    if (this.cache && now - this.cache.loadedAt < this.maxAgeMs)
      return Promise.resolve(this.cache.keys);
    if (this.loading) return this.loading;
    const loading = this.load().finally(() => {
      if (this.loading === loading) this.loading = null;
    });
    this.loading = loading;
    return loading;
  }

  private async load(): Promise<ForwardKey[]> {
    const generation = this.generation;
    const rows = await this.repository.activeSealedKeys();
    const keys: ForwardKey[] = [];
    const active = new Set<string>();
    for (const row of rows) {
      active.add(row.tokenId);
      let key = this.opened.get(row.tokenId);
      if (key === undefined || (key !== null && key.tokenHash !== row.tokenHash)) {
        key = this.open(row);
        this.opened.set(row.tokenId, key);
      }
      if (key) keys.push(key);
    }
    // Revoked tokens and paused paths: their keys are not kept in memory.
    for (const tokenId of this.opened.keys()) if (!active.has(tokenId)) this.opened.delete(tokenId);
    if (generation === this.generation) this.cache = { keys, loadedAt: Date.now() };
    return keys;
  }

  private open(row: SealedKeyRow): ForwardKey | null {
    let key: string;
    try {
      key = openSecret(this.secretKey, row.sealed);
    } catch (error) {
      if (!(error instanceof SecretError)) throw error;
      this.log(
        `forward: the shared key of path token ${row.tokenId} is not usable: ${error.message}`,
      );
      return null;
    }
    // A sealed key copied onto another token's row would open, but not prove that token.
    if (tokenHashOfKey(key) !== row.tokenHash) {
      this.log(
        `forward: the sealed shared key of path token ${row.tokenId} is not its own: ignored`,
      );
      return null;
    }
    return { key, tokenHash: row.tokenHash };
  }
}

/**
 * Seals the shared keys that the migration 20261207100000_hashed_path_token_shared_keys left
 * in the clear (SQL cannot see the platform secret), and clears them; the number sealed.
 * Run at start-up, before the forward port opens.
 */
export async function sealLegacyKeys(
  repository: ForwardRepository,
  secretKey: string,
): Promise<number> {
  const legacy = await repository.legacyKeys();
  const sealed = legacy
    // Only a key that belongs to its row (token_hash is its hash) is kept.
    .filter((row) => tokenHashOfKey(row.key) === row.tokenHash)
    .map((row) => ({ tokenId: row.tokenId, key: row.key, sealed: sealSecret(secretKey, row.key) }));
  return repository.replaceLegacyKeys(sealed);
}
