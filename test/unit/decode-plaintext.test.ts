import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { decodePlaintext } from '../../lambdas/http/request.js';

const schema = z.base64();

describe('decodePlaintext', () => {
  it.each([
    '',
    'QQ==',
    'QUI=',
    'QUJD',
    randomBytes(1024).toString('base64'),
    randomBytes(1000).toString('base64'),
    // Not canonical: bits after the last byte, which atob ignores.
    'QR==',
    'QUJ=',
    // Refused: no padding, whitespace, base64url, stray padding, other characters.
    'QQ',
    'QUI',
    'QU I=',
    'QUI=\n',
    ' QUJD',
    'a-_b',
    'Q===',
    '=QUJ',
    'QQ==QQ==',
    'QUJD!',
    'é',
  ])('accepts %j exactly when the schema does, with the same bytes', (encoded) => {
    const valid = schema.safeParse(encoded).success;
    if (valid) expect(decodePlaintext(encoded).equals(Buffer.from(encoded, 'base64'))).toBe(true);
    else expect(() => decodePlaintext(encoded, 'items.3.plaintext')).toThrow('items.3.plaintext: must be standard base64.');
  });
});
