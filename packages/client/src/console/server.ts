import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EnvelopeClient } from '../client.js';
import { serveAsset } from './assets.js';
import { CONSOLE_PREFIX, consoleRoute } from './console-routes.js';
import { API_PREFIX, forward } from './forward.js';
import { allowedHost, allowedOrigin } from './guards.js';
import { SECURITY_HEADERS, sendError, sendPage } from './headers.js';
import { type ActivityPage, type ActivityQuery, type ConsoleIdentity, IDENTITY_HEADER, PAGE_KEY_FRAGMENT, PAGE_KEY_HEADER } from './protocol.js';
import { newSession, type Session, sameSecret, sessionCookie, sessionFromCookies } from './session.js';
import { DEFAULT_IDLE_MS } from './defaults.js';

export interface ConsoleServerOptions {
  /** Signs and sends the forwarded calls, with the user's credentials. */
  readonly client: EnvelopeClient;
  /**
   * Identities the UI may pick, each with its own client (`npm start`'s local principals); a call
   * naming one in the `x-envelope-identity` header is signed as it. @default none: every call is
   * signed by `client`, and the header is refused.
   */
  readonly identities?: readonly LocalIdentity[];
  /** Answers `GET /console/activity`. @default none: the Activity page says it is not available */
  readonly activity?: ActivitySource;
  /** @default 0: a free port */
  readonly port?: number;
  /** The built UI; it may be missing or empty until the UI is built. */
  readonly assetsDir: string;
  /** The server stops after this long without an authenticated request; `Infinity` never. @default 30 min */
  readonly idleMs?: number;
  /** @default 30 s */
  readonly apiTimeoutMs?: number;
  /** Whose credentials sign (`aws` mode), shown at the top of every page so that no one mistakes production for a sandbox. @default none */
  readonly signer?: string;
  /** What printed the console's URL, as the refusals name it. @default '`envelope console`' */
  readonly printedBy?: string;
  /** How long a request may take to arrive whole, headers and body; then 408 and the connection closes. @default 10 s */
  readonly requestTimeoutMs?: number;
}

export interface ConsoleServer {
  /** The URL to open: it carries this run's token. */
  readonly url: string;
  readonly origin: string;
  readonly port: number;
  readonly idleMs: number;
  /** Settles once the server has stopped: `idle` when the idle period ran out, `closed` when closed. */
  readonly stopped: Promise<'idle' | 'closed'>;
  close(): Promise<void>;
}

export interface LocalIdentity extends ConsoleIdentity {
  readonly client: EnvelopeClient;
}

/** The audit trail's records matching a query, read with the credentials of `client`. */
export type ActivitySource = (query: ActivityQuery, client: EnvelopeClient) => Promise<ActivityPage>;

const DEFAULT_API_TIMEOUT_MS = 30_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

/** Starts the console's server on the loopback interface only. */
export async function startConsoleServer(options: ConsoleServerOptions): Promise<ConsoleServer> {
  const session = newSession();
  const idleMs = options.idleMs ?? DEFAULT_IDLE_MS;
  let port = 0;
  let stop: (reason: 'idle' | 'closed') => Promise<void> = async () => {};
  const idle = idleTimer(idleMs, () => void stop('idle'));
  const requestTimeout = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  // A request stalled mid-body would otherwise hold its connection for Node's default five minutes.
  const timeouts = { requestTimeout, headersTimeout: requestTimeout, connectionsCheckingInterval: Math.min(1_000, requestTimeout) };
  const server = createServer(timeouts, (request, response) => {
    handle({ ...options, idleMs, session, port, idle: idle.reset }, request, response).catch(() => {
      if (!response.headersSent) sendError(response, 500, 'InternalError', 'The console server failed.');
      else response.destroy();
    });
  });
  await listen(server, options.port ?? 0);
  port = (server.address() as AddressInfo).port;
  const stopped = new Promise<'idle' | 'closed'>((resolve) => {
    stop = async (reason) => {
      idle.clear();
      await closeServer(server);
      resolve(reason);
    };
  });
  idle.reset();
  const origin = `http://127.0.0.1:${port}`;
  return { url: `${origin}/?token=${session.token}`, origin, port, idleMs, stopped, close: () => stop('closed') };
}

interface Context extends ConsoleServerOptions {
  readonly idleMs: number;
  readonly session: Session;
  readonly port: number;
  readonly idle: () => void;
}

async function handle(context: Context, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const host = allowedHost(request, context.port);
  if (host === undefined) return sendError(response, 421, 'AccessDenied', 'This server answers only to 127.0.0.1 and localhost, with its port.');
  const url = new URL(request.url ?? '/', `http://${host}`);
  if (request.method === 'GET' && url.searchParams.has('token')) return exchangeToken(context, request, response, url);
  if (!sameSecret(sessionFromCookies(request.headers.cookie, context.port), context.session.secret)) {
    return refuse(request, response, 401, `No console session: open the URL ${printedBy(context)} printed.`);
  }
  if (!allowedOrigin(request, host)) return sendError(response, 403, 'AccessDenied', "A change must come from the console's own pages.");
  const calling = url.pathname.startsWith(API_PREFIX) || url.pathname.startsWith(CONSOLE_PREFIX);
  if (calling && !sameSecret(headerValue(request, PAGE_KEY_HEADER), context.session.pageKey)) {
    return sendError(response, 401, 'AccessDenied', `This page holds no key of this console: open the URL ${printedBy(context)} printed.`);
  }
  context.idle();
  const client = clientFor(context, request);
  if (client === undefined) return sendError(response, 400, 'ValidationError', `${IDENTITY_HEADER} names no identity this console may act as.`);
  if (url.pathname.startsWith(API_PREFIX))
    return forward({ client, timeoutMs: context.apiTimeoutMs ?? DEFAULT_API_TIMEOUT_MS }, request, response, url);
  if (url.pathname.startsWith(CONSOLE_PREFIX)) return consoleRoute({ ...context, client }, request, response, url);
  if (request.method !== 'GET' && request.method !== 'HEAD')
    return sendError(response, 404, 'NotFound', `${request.method} ${url.pathname} is not a route.`);
  return serveAsset(response, context.assetsDir, url.pathname);
}

/** The client a request's calls are signed with: the identity it names, else the user's own; undefined for an unknown name. */
function clientFor(context: Context, request: IncomingMessage): EnvelopeClient | undefined {
  const name = request.headers[IDENTITY_HEADER];
  if (name === undefined) return context.identities?.[0]?.client ?? context.client;
  return context.identities?.find((identity) => identity.name === name)?.client;
}

const printedBy = (context: Context) => context.printedBy ?? '`envelope console`';

/** A refusal as a page when the browser navigated to it (an address typed, a link followed), else as the API's JSON error. */
function refuse(request: IncomingMessage, response: ServerResponse, status: number, message: string): void {
  if (request.headers['sec-fetch-mode'] === 'navigate') sendPage(response, status, 'Envelope console', message);
  else sendError(response, status, 'AccessDenied', message);
}

const headerValue = (request: IncomingMessage, name: string): string | undefined => {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
};

/**
 * The printed URL's token, exchanged for the session cookie and the page key; the redirect drops
 * the token from the address bar, and the page takes the key out of the fragment.
 */
function exchangeToken(context: Context, request: IncomingMessage, response: ServerResponse, url: URL) {
  const { session, port } = context;
  if (!sameSecret(url.searchParams.get('token') ?? undefined, session.token)) {
    return refuse(request, response, 403, `The token is not this run's: open the URL ${printedBy(context)} printed.`);
  }
  url.searchParams.delete('token');
  response
    .writeHead(303, {
      ...SECURITY_HEADERS,
      location: `${url.pathname}${url.search}#${PAGE_KEY_FRAGMENT}=${session.pageKey}`,
      'set-cookie': sessionCookie(session.secret, port),
      'cache-control': 'no-store',
    })
    .end();
}

function idleTimer(ms: number, onIdle: () => void): { reset: () => void; clear: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const clear = () => clearTimeout(timer);
  return {
    clear,
    reset: () => {
      clear();
      if (Number.isFinite(ms)) timer = setTimeout(onIdle, ms);
    },
  };
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
}

function closeServer(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  return closed;
}
