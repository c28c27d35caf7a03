import { createHmac } from 'node:crypto';
import { isIP } from 'node:net';
import type { FastifyRequest } from 'fastify';
import { sameSecret } from './secrets';

/**
 * Where the portal's proxy proves it is the portal: the value is derived from the platform's
 * secret key (SEXTANT_SECRET_KEY), which the portal and the API both get from `npm start`.
 * The portal removes any such header a client sends before adding its own.
 */
export const portalProofHeader = 'x-sextant-portal';

/** The proof the portal sends (an HMAC of a fixed label, so the key itself never travels). */
export function portalProof(secretKey: string): string {
  return createHmac('sha256', secretKey.trim()).update('sextant portal proxy').digest('base64url');
}

/**
 * The address of the client of a request. Fastify's `request.ip` believes TRUST_PROXY_HOPS
 * entries of X-Forwarded-For and no more; a request proven to come through the portal's proxy
 * (which overwrites X-Forwarded-For with its own peer) believes the portal's entry too.
 */
export function clientAddress(request: FastifyRequest, proof: string | null): string {
  if (proof) {
    const sent = request.headers[portalProofHeader];
    const forwarded = request.headers['x-forwarded-for'];
    if (typeof sent === 'string' && sameSecret(sent, proof) && typeof forwarded === 'string') {
      const last = forwarded.split(',').at(-1)!.trim();
      if (isIP(last)) return unmapped(last);
    }
  }
  return unmapped(request.ip);
}

// An IPv4 client of a dual-stack socket shows as ::ffff:a.b.c.d; one address, one spelling.
function unmapped(address: string): string {
  return /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(address) ? address.slice(7) : address;
}

const addresses = new WeakMap<object, string>();

export function setClientAddress(request: object, address: string): void {
  addresses.set(request, address);
}

/** The client address found when the request arrived (request.ip if none was). */
export function clientAddressOf(request: FastifyRequest): string {
  return addresses.get(request) ?? unmapped(request.ip);
}
