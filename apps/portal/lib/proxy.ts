// Forwards a request to the API, read from SEXTANT_API_URL at request time (not build time).
import { createHmac } from 'node:crypto';

const hopByHop = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'host',
  'content-length',
]);
// Never passed on as the client sent them: the client's address, and the proof that the
// portal vouches for it (apps/api/src/auth/client-address.ts).
const clientAddressHeader = 'x-forwarded-for';
const proofHeader = 'x-sextant-portal';
const notPassed = new Set([
  ...hopByHop,
  clientAddressHeader,
  proofHeader,
  'x-real-ip',
  'forwarded',
]);

/**
 * The client's address for the API. portal-server.mjs has replaced X-Forwarded-For with the
 * address it saw (and says so); with the platform's secret key the portal proves to the API
 * that it set it. Served otherwise (e.g. `next dev`), nothing is passed: the API sees the portal.
 */
function clientHeaders(request: Request): Record<string, string> {
  const address = request.headers.get(clientAddressHeader);
  const key = process.env.SEXTANT_SECRET_KEY?.trim();
  if (process.env.SEXTANT_PORTAL_CLIENT_ADDRESS !== clientAddressHeader || !address) return {};
  return {
    [clientAddressHeader]: address,
    ...(key
      ? {
          [proofHeader]: createHmac('sha256', key)
            .update('sextant portal proxy')
            .digest('base64url'),
        }
      : {}),
  };
}

export async function forward(request: Request, path: string): Promise<Response> {
  const base = process.env.SEXTANT_API_URL ?? 'http://127.0.0.1:3000';
  const url = new URL(request.url);
  const target = `${base.replace(/\/$/, '')}${path}${url.search}`;
  const headers = new Headers();
  request.headers.forEach((value, key) => {
    if (!notPassed.has(key)) headers.set(key, value);
  });
  for (const [key, value] of Object.entries(clientHeaders(request))) headers.set(key, value);
  try {
    const body = ['GET', 'HEAD'].includes(request.method) ? undefined : await request.arrayBuffer();
    const upstream = await fetch(target, {
      method: request.method,
      headers,
      body,
      cache: 'no-store',
      redirect: 'manual',
    });
    const responseHeaders = new Headers();
    for (const name of ['content-type', 'content-disposition', 'retry-after']) {
      const value = upstream.headers.get(name);
      if (value) responseHeaders.set(name, value);
    }
    // The session and CSRF cookies, set by the API for the portal's own origin.
    for (const cookie of upstream.headers.getSetCookie())
      responseHeaders.append('set-cookie', cookie);
    return new Response(upstream.status === 204 ? null : await upstream.arrayBuffer(), {
      status: upstream.status,
      headers: responseHeaders,
    });
  } catch (error) {
    return Response.json(
      {
        statusCode: 502,
        code: 'ApiUnreachable',
        message: `the API at ${base} did not answer: ${(error as Error).message}`,
      },
      { status: 502 },
    );
  }
}
