import type { ServerResponse } from 'node:http';
import type { ErrorCode } from '../../../../contract/index.js';

/** No inline script or style, nothing from elsewhere, never framed: the page can run only the console's own files. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  // Cloudscape's stylesheet carries its fonts inline, as data: URLs; a font can run nothing.
  "font-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/** Sent on every answer, whatever it is. */
export const SECURITY_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
} as const;

/** A JSON answer, never cached: it may hold what the API said about the user's keys. */
export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (body === undefined) {
    response.writeHead(status, { ...SECURITY_HEADERS, 'cache-control': 'no-store', ...headers }).end();
    return;
  }
  const payload = JSON.stringify(body);
  response
    .writeHead(status, {
      ...SECURITY_HEADERS,
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(payload),
      'cache-control': 'no-store',
      ...headers,
    })
    .end(payload);
}

/** An error in the API's own shape, `{"error": {"code", "message"}}`, so the UI shows every error alike. */
export function sendError(response: ServerResponse, status: number, code: ErrorCode, message: string, headers: Record<string, string> = {}): void {
  sendJson(response, status, { error: { code, message } }, headers);
}

/** A page of text only (no script, no style: the policy above allows none inline), for a browser that navigated to a refusal. */
export function sendPage(response: ServerResponse, status: number, title: string, message: string): void {
  const page = `<!doctype html><html lang="en"><meta charset="utf-8"><title>${escapeHtml(title)}</title><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p></html>`;
  response
    .writeHead(status, {
      ...SECURITY_HEADERS,
      'content-type': 'text/html; charset=utf-8',
      'content-length': Buffer.byteLength(page),
      'cache-control': 'no-store',
    })
    .end(page);
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!);
