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
 * read at most once per `maxAgeMs`, whatever the handshakes (good or bad) ask, and each is
 * opened once: a failed handshake never reads them afresh. A token created a moment ago is
 * taken within `maxAgeMs` (its client's first try may be refused; it tries again). The path of
 * a matching key is read again before use, so a revoked token is never accepted.
 */
export class ForwardKeys {
  private cache: { keys: ForwardKey[]; loadedAt: number } | null = null;
  private loading: Promise<ForwardKey[]> | null = null;
  /** Opened keys by token id (null: the sealed key does not open), kept while the token is. */
  private readonly opened = new Map<string, ForwardKey | null>();

  constructor(
    private readonly repository: ForwardRepository,
    private readonly secretKey: string,
    private readonly log: (line: string) => void,
    private readonly maxAgeMs = 1000,
  ) {}

  /** The current keys (concurrent callers share one read). */
  current(now = Date.now()): Promise<ForwardKey[]> {
    if (this.cache && now - this.cache.loadedAt < this.maxAgeMs)
      return Promise.resolve(this.cache.keys);
    this.loading ??= this.load().finally(() => (this.loading = null));
    return this.loading;
  }

  private async load(): Promise<ForwardKey[]> {
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
    this.cache = { keys, loadedAt: Date.now() };
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
