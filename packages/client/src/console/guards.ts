import type { IncomingMessage } from 'node:http';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The Host a browser sends to this server: the loopback address or `localhost`, with the port.
 * Any other name that resolves here is a DNS rebinding attempt from a foreign page.
 */
export function allowedHost(request: IncomingMessage, port: number): string | undefined {
  const host = request.headers.host;
  return host === `127.0.0.1:${port}` || host === `localhost:${port}` ? host : undefined;
}

/** A change must come from the console's own pages: an `Origin` equal to this server's, the Host the browser used. */
export function allowedOrigin(request: IncomingMessage, host: string): boolean {
  if (!STATE_CHANGING.has(request.method ?? '')) return true;
  return request.headers.origin === `http://${host}`;
}
