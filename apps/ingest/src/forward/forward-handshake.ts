import { encode } from '@msgpack/msgpack';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { hashToken } from '@sextant/ingest';

/**
 * The shared key of a path token in the forward handshake: the token's sha256 (hex), which is
 * what the gateway keeps of a token (the handshake proves knowledge of the key without sending
 * it, so the server must hold the key itself — it never holds the token). A client computes it
 * with `printf %s "$TOKEN" | sha256sum`.
 */
export function forwardSharedKey(token: string): string {
  return hashToken(token);
}

/** sha512_hex(salt + hostname + nonce + shared_key), the digest both sides of the handshake send. */
export function sharedKeyDigest(
  salt: string | Uint8Array,
  hostname: string,
  nonce: Uint8Array,
  sharedKey: string,
): string {
  return createHash('sha512')
    .update(salt)
    .update(hostname)
    .update(nonce)
    .update(sharedKey)
    .digest('hex');
}

/** A new handshake: the nonce and the HELO that carries it (no user authentication). */
export function newHelo(keepalive: boolean): { nonce: Uint8Array; helo: Uint8Array } {
  const nonce = new Uint8Array(randomBytes(16));
  // auth '' : no username/password step; the shared key is the credential.
  return { nonce, helo: encode(['HELO', { nonce, auth: '', keepalive }]) };
}

/** Which of the candidate keys the client's digest was made with, or null. */
export function matchSharedKey(
  ping: { clientHostname: string; salt: string | Uint8Array; sharedKeyDigest: string },
  nonce: Uint8Array,
  candidates: Iterable<string>,
): string | null {
  const given = Buffer.from(ping.sharedKeyDigest, 'utf8');
  if (given.length !== 128) return null;
  for (const key of candidates) {
    const expected = Buffer.from(
      sharedKeyDigest(ping.salt, ping.clientHostname, nonce, key),
      'utf8',
    );
    if (timingSafeEqual(expected, given)) return key;
  }
  return null;
}

/** ['PONG', ok, reason, server_hostname, sha512_hex(salt + server_hostname + nonce + key)]. */
export function pong(
  ok: boolean,
  reason: string,
  serverHostname: string,
  digest: string,
): Uint8Array {
  return encode(['PONG', ok, reason, serverHostname, digest]);
}
