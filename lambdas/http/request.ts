import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import { ServiceError } from '../domain/errors.js';
import { MAX_PLAINTEXT_BYTES, PAYLOAD_LIMIT_HINT } from '../../contract/index.js';

// zod/mini ships no messages ("Invalid input" for every problem); the English ones say what was
// expected ("Too small: expected number to be >=7"), for about 4 KiB of bundle (only this locale:
// `z.locales` would bundle every language).
z.config(en());

/**
 * Validates a request part against its schema; the first problem becomes the error message. An
 * absent part reads as `{}` (a route whose body is optional takes no body: see api-handler.ts),
 * but JSON `null` is a value like `[]` or `1`, refused where the schema wants an object, as the
 * OpenAPI document types every body as an object.
 */
export function parseInput<T extends z.ZodMiniType>(schema: T, value: unknown, part: string): z.output<T> {
  if (typeof value === 'string' && part === 'body') {
    throw new ServiceError('ValidationError', 'The request body must be JSON, sent with Content-Type: application/json.');
  }
  const result = schema.safeParse(value === undefined ? {} : value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.path.length > 0 ? issue.path.join('.') : part;
  throw new ServiceError('ValidationError', `${path}: ${issue.message}`);
}

const base64 = z.base64();

/** Bytes a standard base64 string decodes to, computed without decoding it. */
export function decodedLength(encoded: string): number {
  const padding = encoded.endsWith('==') ? 2 : encoded.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((encoded.length * 3) / 4) - padding);
}

/** Refuses requests whose plaintext, in one item or in all, is over the limit, before decoding. */
export function assertPlaintextSize(bytes: number): void {
  if (bytes > MAX_PLAINTEXT_BYTES) {
    throw new ServiceError('PayloadTooLarge', `The plaintext is ${bytes} bytes, over the limit of ${MAX_PLAINTEXT_BYTES}. ${PAYLOAD_LIMIT_HINT}`);
  }
}

/**
 * Decodes standard base64 plaintext, refusing oversized payloads before decoding them. Text that
 * its bytes encode back to is canonical base64, which the schema accepts; only other text is
 * checked by the schema (whose check decodes it once more, with atob: a batch's items paid twice).
 */
export function decodePlaintext(encoded: string, field = 'plaintext'): Buffer {
  assertPlaintextSize(decodedLength(encoded));
  const decoded = Buffer.from(encoded, 'base64');
  if (decoded.toString('base64') === encoded) return decoded;
  decoded.fill(0);
  if (!base64.safeParse(encoded).success) throw new ServiceError('ValidationError', `${field}: must be standard base64.`);
  return Buffer.from(encoded, 'base64');
}
