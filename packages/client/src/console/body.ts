import type { IncomingMessage } from 'node:http';

export type Body = { readonly bytes: Buffer } | { readonly tooLarge: true };

/** The request's body, read only up to `limit` bytes: a larger one is refused before it is all received. */
export function readBody(request: IncomingMessage, limit: number): Promise<Body> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > limit) return Promise.resolve({ tooLarge: true });
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      request.off('data', onData);
      resolve({ tooLarge: true });
    };
    request.on('data', onData);
    request.on('error', reject);
    request.on('end', () => resolve({ bytes: Buffer.concat(chunks) }));
  });
}
