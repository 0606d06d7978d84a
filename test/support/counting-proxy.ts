import { createServer, request, type Server } from 'node:http';

/**
 * An HTTP proxy to `target` that forwards every request unchanged and reports the bytes of each
 * request and answer body: what a client moved over the network, whatever it says of itself.
 */
export function countingProxy(target: URL, count: (bytes: number) => void): Server {
  return createServer((incoming, answer) => {
    const forwarded = request(
      { host: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers: incoming.headers },
      (response) => {
        answer.writeHead(response.statusCode!, response.headers);
        response.on('data', (chunk: Buffer) => count(chunk.length)).pipe(answer);
      },
    );
    incoming.on('data', (chunk: Buffer) => count(chunk.length)).pipe(forwarded);
  });
}
