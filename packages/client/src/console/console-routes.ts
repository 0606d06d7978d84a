import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EnvelopeClient } from '../client.js';
import { EnvelopeApiError } from '../errors.js';
import { sendError, sendJson } from './headers.js';
import type { ActivityQuery, ConsoleSession } from './protocol.js';
import type { ConsoleServerOptions } from './server.js';

/** The console server's own routes, beside the API's: what the UI needs to know of the server. */
export const CONSOLE_PREFIX = '/console/';

interface ConsoleRouteContext extends ConsoleServerOptions {
  /** The client this request's identity signs with. */
  readonly client: EnvelopeClient;
  /** The server's idle period, resolved. */
  readonly idleMs: number;
}

export async function consoleRoute(context: ConsoleRouteContext, request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
  if (request.method !== 'GET') return sendError(response, 404, 'NotFound', `${request.method} ${url.pathname} is not a route.`);
  switch (url.pathname) {
    case '/console/session':
      return sendJson(response, 200, session(context));
    case '/console/activity':
      return activity(context, response, url);
    default:
      return sendError(response, 404, 'NotFound', `${url.pathname} is not a route of the console.`);
  }
}

function session(context: ConsoleRouteContext): ConsoleSession {
  const identities = context.identities ?? [];
  return {
    ...context.client.target,
    mode: identities.length > 0 ? 'local' : 'aws',
    identities: identities.map(({ name, arn, description }) => ({ name, arn, description })),
    ...idleMinutes(context.idleMs),
    ...(context.signer !== undefined && { signer: context.signer }),
  };
}

/** None for a console that never stops by itself (`npm start`'s). */
const idleMinutes = (idleMs: number) => (Number.isFinite(idleMs) ? { idleMinutes: idleMs / 60_000 } : {});

async function activity(context: ConsoleRouteContext, response: ServerResponse, url: URL): Promise<void> {
  if (context.activity === undefined) return sendError(response, 404, 'NotFound', 'This console has no audit trail to read.');
  const query: ActivityQuery = Object.fromEntries(
    ['key', 'principal', 'from', 'to'].flatMap((name) => (url.searchParams.has(name) ? [[name, url.searchParams.get(name)!]] : [])),
  );
  try {
    sendJson(response, 200, await context.activity(query, context.client));
  } catch (error) {
    if (error instanceof EnvelopeApiError) return sendError(response, error.status, error.code, error.message);
    throw error;
  }
}
