import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { SECURITY_HEADERS, sendError } from './headers.js';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * A file of the built UI in `dir`. A path without an extension is a page of the single-page app:
 * its index.html. Nothing outside `dir` is ever read, however the path is encoded.
 */
export async function serveAsset(response: ServerResponse, dir: string, pathname: string): Promise<void> {
  const file = fileIn(dir, pathname);
  if (file === undefined) return sendError(response, 404, 'NotFound', 'No such file.');
  if (await isFile(file)) return sendFile(response, file);
  const index = join(resolve(dir), 'index.html');
  if (!(await isFile(index))) {
    return sendError(response, 404, 'NotFound', "The console's UI is not built: this server answers its API routes under /api/ only.");
  }
  if (extname(file) !== '') return sendError(response, 404, 'NotFound', 'No such file.');
  return sendFile(response, index);
}

function fileIn(dir: string, pathname: string): string | undefined {
  let relative: string;
  try {
    relative = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  if (relative.includes('\0')) return undefined;
  const root = resolve(dir);
  const file = resolve(root, `.${relative === '/' ? '/index.html' : relative}`);
  return file.startsWith(root + sep) ? file : undefined;
}

const isFile = (path: string) =>
  stat(path).then(
    (stats) => stats.isFile(),
    () => false,
  );

function sendFile(response: ServerResponse, file: string): void {
  response.writeHead(200, {
    ...SECURITY_HEADERS,
    'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
    'cache-control': 'no-cache',
  });
  createReadStream(file)
    .on('error', () => response.destroy())
    .pipe(response);
}
