import { type IncomingHttpHeaders, type IncomingMessage, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { NetworkError } from './errors.js';
import { decodeUtf8Chunks } from './utf8-chunks.js';

/** An answer, whatever its status: the body decoded as UTF-8. */
export interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
}

/**
 * The limits fetch() (undici) puts on a request, kept: connecting may take 10 s, and the socket may
 * then sit idle 300 s, waiting for the answer's headers or its next bytes.
 */
const CONNECT_TIMEOUT_MS = 10_000;
const IDLE_TIMEOUT_MS = 300_000;

/**
 * One HTTP exchange over node:http, which costs a fraction of fetch() per byte (no web streams, no
 * TextEncoder/TextDecoder copies): a 100-item batch's request and answer are 150 KB each. A
 * request that gets no whole answer fails with a NetworkError, the socket's error as its cause.
 */
export function exchange(url: URL, method: string, headers: Record<string, string>, body: Buffer | undefined): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const fail = (cause: unknown) => reject(new NetworkError('request', cause));
    // Node's global agents keep connections open for the next request (since Node 19), as fetch()'s
    // pool does, and go through a proxy where Node's environment asks them to.
    const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, { method, headers }, (response) =>
      readAnswer(response, resolve, (cause) => reject(new NetworkError('answer', cause))),
    );
    request.on('error', fail);
    request.setTimeout(IDLE_TIMEOUT_MS, () => request.destroy(timeoutError('The server sent nothing for 300 s.')));
    request.on('socket', (socket) => {
      if (!socket.connecting) return;
      const timer = setTimeout(() => request.destroy(timeoutError('Connecting took over 10 s.')), CONNECT_TIMEOUT_MS);
      socket.once('connect', () => clearTimeout(timer)).once('close', () => clearTimeout(timer));
    });
    request.end(body);
  });
}

/** The answer's text, decoded from the chunks it arrived in (see decodeUtf8Chunks). */
function readAnswer(response: IncomingMessage, resolve: (answer: Answer) => void, fail: (cause: unknown) => void): void {
  const chunks: Buffer[] = [];
  response.on('data', (chunk: Buffer) => chunks.push(chunk));
  response.on('error', fail);
  response.on('end', () => {
    const text = decodeUtf8Chunks(chunks);
    // fetch()'s text() drops a byte order mark.
    resolve({ status: response.statusCode ?? 0, headers: response.headers, text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text });
  });
}

const timeoutError = (message: string) => Object.assign(new Error(message), { code: 'ETIMEDOUT' });
