// Forwards a request to the API, read from SEXTANT_API_URL at request time (not build time).

const hopByHop = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'host',
  'content-length',
]);

export async function forward(request: Request, path: string): Promise<Response> {
  const base = process.env.SEXTANT_API_URL ?? 'http://127.0.0.1:3000';
  const url = new URL(request.url);
  const target = `${base.replace(/\/$/, '')}${path}${url.search}`;
  const headers = new Headers();
  request.headers.forEach((value, key) => {
    if (!hopByHop.has(key)) headers.set(key, value);
  });
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
