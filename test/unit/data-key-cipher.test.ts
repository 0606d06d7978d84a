import { randomBytes, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseToken, TOKEN_PREFIX } from '../../lambdas/domain/ciphertext-token.js';
import { openWithDataKey, sealWithDataKey } from '../../lambdas/domain/data-key-cipher.js';
import { encodeContext } from '../../lambdas/domain/encryption-context.js';
import { ServiceError } from '../../lambdas/domain/errors.js';

const dataKey = randomBytes(32);
const keyIdArb = fc.uuid({ version: 4 });
const versionArb = fc.integer({ min: 1, max: 2 ** 32 - 1 });
const contextArb = fc.dictionary(fc.string({ maxLength: 12 }), fc.string({ maxLength: 24 }), { maxKeys: 5 });
const plaintextArb = fc.uint8Array({ maxLength: 512 });

/** Seals to the text form callers hold. */
const seal = (...args: Parameters<typeof sealWithDataKey>) => sealWithDataKey(...args).toString();

/** Opening goes through parsing, as for any token a caller hands back. */
const open = (token: string, context?: Record<string, string>) => openWithDataKey(dataKey, parseToken(token), context);

function expectInvalidCiphertext(action: () => unknown): void {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ServiceError);
    expect((error as ServiceError).code).toBe('InvalidCiphertext');
    return;
  }
  expect.fail('expected InvalidCiphertext');
}

/** Swaps one base64url character for another, i.e. changes some bits of the token. */
function replaceChar(token: string, index: number, shift: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const current = alphabet.indexOf(token[index]!);
  return token.slice(0, index) + alphabet[(current + shift) % 64] + token.slice(index + 1);
}

describe('sealWithDataKey / openWithDataKey', () => {
  it('round-trips any bytes under any context', () => {
    fc.assert(fc.property(keyIdArb, versionArb, plaintextArb, contextArb, (keyId, keyVersion, plaintext, context) => {
      const token = seal(dataKey, { keyId, keyVersion }, plaintext, context);
      expect(token.startsWith(TOKEN_PREFIX)).toBe(true);
      expect(token).toMatch(/^ev1\.[A-Za-z0-9_-]+$/);
      const parsed = parseToken(token);
      expect(parsed).toMatchObject({ keyId, keyVersion });
      expect(Buffer.from(open(token, context)).equals(Buffer.from(plaintext))).toBe(true);
    }));
  });

  it('round-trips through the binary form as well', () => {
    fc.assert(fc.property(plaintextArb, contextArb, (plaintext, context) => {
      const sealed = sealWithDataKey(dataKey, { keyId: randomUUID(), keyVersion: 7 }, plaintext, context);
      const opened = openWithDataKey(dataKey, parseToken(sealed.toBytes()), context);
      expect(Buffer.from(opened).equals(Buffer.from(plaintext))).toBe(true);
      expect(parseToken(sealed.toBytes())).toEqual(parseToken(sealed.toString()));
    }));
  });

  it('uses a fresh IV: the same plaintext never encrypts to the same token', () => {
    const ref = { keyId: randomUUID(), keyVersion: 1 };
    const tokens = new Set(Array.from({ length: 200 }, () => seal(dataKey, ref, Buffer.from('same'))));
    expect(tokens.size).toBe(200);
  });

  it('refuses any single changed character (bits) of the token', () => {
    fc.assert(fc.property(plaintextArb, contextArb, fc.nat(), fc.integer({ min: 1, max: 63 }), (plaintext, context, at, shift) => {
      const token = seal(dataKey, { keyId: randomUUID(), keyVersion: 3 }, plaintext, context);
      const index = TOKEN_PREFIX.length + (at % (token.length - TOKEN_PREFIX.length));
      expectInvalidCiphertext(() => open(replaceChar(token, index, shift), context));
    }));
  });

  it('refuses any single flipped bit or changed byte of the decoded token', () => {
    fc.assert(fc.property(plaintextArb, fc.nat(), fc.integer({ min: 0, max: 7 }), fc.integer({ min: 1, max: 255 }), fc.boolean(), (plaintext, at, bit, delta, flipBit) => {
      const token = seal(dataKey, { keyId: randomUUID(), keyVersion: 1 }, plaintext);
      const body = Buffer.from(token.slice(TOKEN_PREFIX.length), 'base64url');
      const index = at % body.length;
      body[index] = flipBit ? body[index]! ^ (1 << bit) : (body[index]! + delta) % 256;
      expectInvalidCiphertext(() => open(TOKEN_PREFIX + body.toString('base64url')));
    }));
  });

  it('refuses a context with any entry added, removed or changed', () => {
    const changedContext = fc.tuple(contextArb, fc.string({ maxLength: 12 }), fc.string({ maxLength: 24 })).chain(([context, key, value]) => {
      const variants: Record<string, string>[] = [{ ...context, [key]: `${context[key] ?? ''}${value}x` }];
      const firstKey = Object.keys(context)[0];
      if (firstKey !== undefined) {
        const { [firstKey]: _removed, ...rest } = context;
        variants.push(rest);
      }
      return fc.tuple(fc.constant(context), fc.constantFrom(...variants));
    });
    fc.assert(fc.property(plaintextArb, changedContext, (plaintext, [context, other]) => {
      const token = seal(dataKey, { keyId: randomUUID(), keyVersion: 1 }, plaintext, context);
      expectInvalidCiphertext(() => open(token, other));
    }));
  });

  it('refuses another data key, truncation, and garbage', () => {
    const token = seal(dataKey, { keyId: randomUUID(), keyVersion: 1 }, Buffer.from('secret'));
    expectInvalidCiphertext(() => openWithDataKey(randomBytes(32), parseToken(token)));
    expectInvalidCiphertext(() => open(token.slice(0, -4)));
    expectInvalidCiphertext(() => open(token.slice(0, 20)));
    expectInvalidCiphertext(() => open('ev2.' + token.slice(4)));
    expectInvalidCiphertext(() => open('not a token'));
    expectInvalidCiphertext(() => open(`${token}=`));
  });
});

describe('encodeContext', () => {
  it('is unambiguous: distinct contexts never encode alike', () => {
    fc.assert(fc.property(contextArb, contextArb, (a, b) => {
      const same = JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());
      expect(encodeContext(a).equals(encodeContext(b))).toBe(same);
    }));
    expect(encodeContext({ a: 'bc' }).equals(encodeContext({ ab: 'c' }))).toBe(false);
  });

  it('ignores key order and treats an absent context as empty', () => {
    expect(encodeContext({ x: '1', y: '2' }).equals(encodeContext({ y: '2', x: '1' }))).toBe(true);
    expect(encodeContext(undefined).equals(encodeContext({}))).toBe(true);
  });
});
