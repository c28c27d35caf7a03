import { encode } from '@msgpack/msgpack';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

// The shared key of a path token is sharedKeyOf(token) (libs/ingest): the handshake proves it
// without sending it, so the gateway must hold the key itself (sealed at rest, see ForwardKeys).

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

/** Which of the candidate keys the client's digest was made with, or null (a sha512 each). */
export function matchSharedKey<K extends { key: string }>(
  ping: { clientHostname: string; salt: string | Uint8Array; sharedKeyDigest: string },
  nonce: Uint8Array,
  candidates: Iterable<K>,
): K | null {
  const given = Buffer.from(ping.sharedKeyDigest, 'utf8');
  if (given.length !== 128) return null;
  for (const candidate of candidates) {
    const expected = Buffer.from(
      sharedKeyDigest(ping.salt, ping.clientHostname, nonce, candidate.key),
      'utf8',
    );
    if (timingSafeEqual(expected, given)) return candidate;
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
