import { DomainError } from '@sextant/domain';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiConfig } from '../api-config';
import { isUploadRoute, mediaTypeOf, uploadTypes } from '../common/upload';
import { setPrincipal } from './actor.decorator';
import { clientAddress, portalProof, setClientAddress } from './client-address';
import { addressKey, RateLimiter } from './rate-limiter';
import type { SessionsService } from './sessions.service';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);
const uploads = new Set<string>(uploadTypes);

/** Changes that may hash a password or send an email: sign-in, registration, resets, links. */
function limited(request: FastifyRequest): boolean {
  if (safeMethods.has(request.method)) return false;
  const route = request.routeOptions.url ?? '';
  return route.startsWith('/api/auth/') || route === '/api/invitations/accept';
}

/**
 * What every request goes through as it arrives, before its body is read: its client address
 * (see clientAddress), the rate limit of the account routes, who the caller is (the policy
 * guard then uses that principal), and the content types only upload routes take. An anonymous
 * upload is refused here, so a large body is never read for nobody.
 */
export function installRequestGate(
  fastify: FastifyInstance,
  sessions: SessionsService,
  config: ApiConfig,
): void {
  const proof = config.secretKey ? portalProof(config.secretKey) : null;
  const perAddress = new RateLimiter(config.auth.rateLimitPerAddress);
  const total = new RateLimiter(config.auth.rateLimitTotal, 1);
  fastify.addHook('onRequest', async (request) => {
    const address = clientAddress(request, proof);
    setClientAddress(request, address);
    if (limited(request)) {
      const wait = perAddress.take(addressKey(address)) || total.take('all');
      if (wait)
        throw new DomainError(
          'TooManyRequests',
          `too many account requests (sign-in, registration, resets): try again in ${wait} s`,
          [],
          wait,
        );
    }
    const principal = await sessions.authenticate(request);
    setPrincipal(request, principal);
    const type = mediaTypeOf(request);
    const upload = isUploadRoute(request);
    if (type && uploads.has(type) && !upload)
      throw new DomainError(
        'UnsupportedMediaType',
        `content-type ${type}: only file uploads (imports, light curves) take it; send application/json`,
      );
    if (upload && principal.kind === 'anonymous')
      throw new DomainError(
        'Unauthenticated',
        'authentication required: sign in or send an API token (Authorization: Bearer …)',
      );
  });
}
