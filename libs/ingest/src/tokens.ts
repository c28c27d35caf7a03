import { createHash, randomBytes } from 'node:crypto';

const tokenPrefix = 'sxt_';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * A new path token, shown once. `sharedKey` is its fluentd forward shared key (kept only
 * sealed with the platform secret), `hash` what path_token.token_hash holds.
 */
export function newToken(): { token: string; hash: string; sharedKey: string; prefix: string } {
  const token = `${tokenPrefix}${randomBytes(24).toString('base64url')}`;
  const sharedKey = sharedKeyOf(token);
  return { token, hash: tokenHashOfKey(sharedKey), sharedKey, prefix: token.slice(0, 10) };
}

/**
 * The fluentd forward shared key of a path token: its sha256, hex. Agents compute it with
 * `printf %s "$TOKEN" | sha256sum`; the forward handshake proves it without sending it.
 */
export function sharedKeyOf(token: string): string {
  return sha256(token);
}

/**
 * What the database keeps of a token: the sha256 of its shared key. Unlike the shared key it
 * is no credential: neither a write nor a forward handshake accepts it.
 */
export function tokenHashOfKey(sharedKey: string): string {
  return sha256(sharedKey);
}

/** path_token.token_hash of a token: sha256(sha256(token)), hex. */
export function hashToken(token: string): string {
  return tokenHashOfKey(sharedKeyOf(token));
}

export { uuidv7 } from '@sextant/domain';
