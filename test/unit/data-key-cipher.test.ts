import { createCipheriv, hkdfSync, randomBytes, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseToken, TOKEN_PREFIX, type DataKeyRef } from '../../lambdas/domain/ciphertext-token.js';
import { newMessageKey, openWithDataKey, sealWithMessageKey } from '../../lambdas/domain/data-key-cipher.js';
import { sealEv1 } from '../support/ev1-reference.js';
import { encodeContext } from '../../lambdas/domain/encryption-context.js';
import { ServiceError } from '../../lambdas/domain/errors.js';

const dataKey = randomBytes(32);
const keyIdArb = fc.uuid({ version: 4 });
const versionArb = fc.integer({ min: 1, max: 2 ** 32 - 1 });
const contextArb = fc.dictionary(fc.string({ maxLength: 12 }), fc.string({ maxLength: 24 }), { maxKeys: 5 });
const plaintextArb = fc.uint8Array({ maxLength: 512 });

/** Seals to the text form callers hold, under a fresh message key of the data key. */
const sealed = (key: Uint8Array, ref: DataKeyRef, plaintext: Uint8Array, context?: Record<string, string>) =>
  sealWithMessageKey(newMessageKey(key, ref), plaintext, context);
const seal = (...args: Parameters<typeof sealed>) => sealed(...args).toString();

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

describe('sealWithMessageKey / openWithDataKey (ev2)', () => {
  it('round-trips any bytes under any context', () => {
    fc.assert(
      fc.property(keyIdArb, versionArb, plaintextArb, contextArb, (keyId, keyVersion, plaintext, context) => {
        const token = seal(dataKey, { keyId, keyVersion }, plaintext, context);
        expect(token.startsWith(TOKEN_PREFIX)).toBe(true);
        expect(token).toMatch(/^ev2\.[A-Za-z0-9_-]+$/);
        const parsed = parseToken(token);
        expect(parsed).toMatchObject({ keyId, keyVersion });
        expect(Buffer.from(open(token, context)).equals(Buffer.from(plaintext))).toBe(true);
      }),
    );
  });

  it('round-trips through the binary form as well', () => {
    fc.assert(
      fc.property(plaintextArb, contextArb, (plaintext, context) => {
        const token = sealed(dataKey, { keyId: randomUUID(), keyVersion: 7 }, plaintext, context);
        const opened = openWithDataKey(dataKey, parseToken(token.toBytes()), context);
        expect(Buffer.from(opened).equals(Buffer.from(plaintext))).toBe(true);
        expect(parseToken(token.toBytes())).toEqual(parseToken(token.toString()));
      }),
    );
  });

  it('uses a fresh IV: the same plaintext never encrypts to the same token', () => {
    const ref = { keyId: randomUUID(), keyVersion: 1 };
    const tokens = new Set(Array.from({ length: 200 }, () => seal(dataKey, ref, Buffer.from('same'))));
    expect(tokens.size).toBe(200);
  });

  it('refuses any single changed character (bits) of the token', () => {
    fc.assert(
      fc.property(plaintextArb, contextArb, fc.nat(), fc.integer({ min: 1, max: 63 }), (plaintext, context, at, shift) => {
        const token = seal(dataKey, { keyId: randomUUID(), keyVersion: 3 }, plaintext, context);
        const index = TOKEN_PREFIX.length + (at % (token.length - TOKEN_PREFIX.length));
        expectInvalidCiphertext(() => open(replaceChar(token, index, shift), context));
      }),
    );
  });

  it('refuses any single flipped bit or changed byte of the decoded token', () => {
    fc.assert(
      fc.property(
        plaintextArb,
        fc.nat(),
        fc.integer({ min: 0, max: 7 }),
        fc.integer({ min: 1, max: 255 }),
        fc.boolean(),
        (plaintext, at, bit, delta, flipBit) => {
          const token = seal(dataKey, { keyId: randomUUID(), keyVersion: 1 }, plaintext);
          const body = Buffer.from(token.slice(TOKEN_PREFIX.length), 'base64url');
          const index = at % body.length;
          body[index] = flipBit ? body[index]! ^ (1 << bit) : (body[index]! + delta) % 256;
          expectInvalidCiphertext(() => open(TOKEN_PREFIX + body.toString('base64url')));
        },
      ),
    );
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
    fc.assert(
      fc.property(plaintextArb, changedContext, (plaintext, [context, other]) => {
        const token = seal(dataKey, { keyId: randomUUID(), keyVersion: 1 }, plaintext, context);
        expectInvalidCiphertext(() => open(token, other));
      }),
    );
  });

  it('refuses another data key, truncation, and garbage', () => {
    const token = seal(dataKey, { keyId: randomUUID(), keyVersion: 1 }, Buffer.from('secret'));
    expectInvalidCiphertext(() => openWithDataKey(randomBytes(32), parseToken(token)));
    expectInvalidCiphertext(() => open(token.slice(0, -4)));
    expectInvalidCiphertext(() => open(token.slice(0, 20)));
    expectInvalidCiphertext(() => open(`ev1.${token.slice(4)}`));
    expectInvalidCiphertext(() => open(`ev3.${token.slice(4)}`));
    expectInvalidCiphertext(() => open('not a token'));
    expectInvalidCiphertext(() => open(`${token}=`));
  });
});

describe('the ev2 header', () => {
  /** Byte ranges of the decoded body: key id, version, salt, IV. */
  const FIELDS = { keyId: [0, 16], version: [16, 20], salt: [20, 52], iv: [52, 64] } as const;

  it('authenticates every header field: a changed key id, version, salt or IV byte is InvalidCiphertext', () => {
    fc.assert(
      fc.property(
        plaintextArb,
        contextArb,
        fc.constantFrom(...Object.values(FIELDS)),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (plaintext, context, [from, to], at, delta) => {
          const token = seal(dataKey, { keyId: randomUUID(), keyVersion: 5 }, plaintext, context);
          const body = Buffer.from(token.slice(TOKEN_PREFIX.length), 'base64url');
          const index = from + (at % (to - from));
          body[index] = (body[index]! + delta) % 256;
          const changed = TOKEN_PREFIX + body.toString('base64url');
          // A version changed to 0 is refused while parsing, any other change by the tag: the same error.
          expectInvalidCiphertext(() => open(changed, context));
        },
      ),
    );
  });

  it('authenticates the prefix: the body under any other prefix, or as ev1, is InvalidCiphertext', () => {
    fc.assert(
      fc.property(plaintextArb, contextArb, fc.string({ minLength: 4, maxLength: 4 }), (plaintext, context, prefix) => {
        fc.pre(prefix !== TOKEN_PREFIX);
        const token = sealed(dataKey, { keyId: randomUUID(), keyVersion: 2 }, plaintext, context);
        expectInvalidCiphertext(() => open(prefix + token.toString().slice(TOKEN_PREFIX.length), context));
        // The binary form read as ev1 (a shorter header, the salt taken for IV and ciphertext).
        const asEv1 = token.toBytes();
        asEv1.write('ev1.', 0, 'latin1');
        expectInvalidCiphertext(() => openWithDataKey(dataKey, parseToken(asEv1), context));
      }),
    );
  });

  it('derives a different key for each salt: the same data key never encrypts two runs under one key', () => {
    const ref = { keyId: randomUUID(), keyVersion: 1 };
    const a = newMessageKey(dataKey, ref);
    const b = newMessageKey(dataKey, ref);
    expect(a.salt.equals(b.salt)).toBe(false);
    expect(a.key.export().equals(b.key.export())).toBe(false);
    // ...and one data key's message key opens nothing of another data key's.
    expectInvalidCiphertext(() => openWithDataKey(randomBytes(32), parseToken(sealWithMessageKey(a, Buffer.from('x')).toString())));
  });
});

describe('ev1 tokens keep decrypting', () => {
  const fixtures = JSON.parse(readFileSync(new URL('../fixtures/ev1-vectors.json', import.meta.url), 'utf8')) as {
    vectors: { dataKeyHex: string; keyId: string; keyVersion: number; context?: Record<string, string>; plaintextBase64: string; token: string }[];
  };

  it('opens the committed ev1 vectors, sealed by the code before ev2', () => {
    expect(fixtures.vectors.length).toBeGreaterThan(0);
    for (const vector of fixtures.vectors) {
      const token = parseToken(vector.token);
      expect(token).toMatchObject({ format: 'ev1', keyId: vector.keyId, keyVersion: vector.keyVersion });
      expect(openWithDataKey(Buffer.from(vector.dataKeyHex, 'hex'), token, vector.context).toString('base64')).toBe(vector.plaintextBase64);
      expectInvalidCiphertext(() => openWithDataKey(Buffer.from(vector.dataKeyHex, 'hex'), token, { ...vector.context, extra: 'x' }));
    }
  });

  it('refuses each committed ev1 vector with any one byte of its body changed, or under the ev2 prefix', () => {
    for (const vector of fixtures.vectors) {
      const dataKey = Buffer.from(vector.dataKeyHex, 'hex');
      const body = Buffer.from(vector.token.slice(4), 'base64url');
      for (let index = 0; index < body.length; index++) {
        const changed = Buffer.from(body);
        changed[index] = changed[index]! ^ (0x01 << (index % 8));
        expectInvalidCiphertext(() => openWithDataKey(dataKey, parseToken(`ev1.${changed.toString('base64url')}`), vector.context));
      }
      expectInvalidCiphertext(() => openWithDataKey(dataKey, parseToken(`ev2.${vector.token.slice(4)}`), vector.context));
    }
  });

  it('round-trips any bytes and context through ev1 decoding, and refuses any changed byte', () => {
    fc.assert(
      fc.property(
        keyIdArb,
        versionArb,
        plaintextArb,
        contextArb,
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (keyId, keyVersion, plaintext, context, at, delta) => {
          const token = sealEv1(dataKey, keyId, keyVersion, plaintext, context);
          expect(parseToken(token)).toMatchObject({ format: 'ev1', keyId, keyVersion });
          expect(Buffer.from(open(token, context)).equals(Buffer.from(plaintext))).toBe(true);
          const body = Buffer.from(token.slice(4), 'base64url');
          body[at % body.length] = (body[at % body.length]! + delta) % 256;
          expectInvalidCiphertext(() => open(`ev1.${body.toString('base64url')}`, context));
        },
      ),
    );
  });
});

describe('ev2 test vectors', () => {
  const fixtures = JSON.parse(readFileSync(new URL('../fixtures/ev2-vectors.json', import.meta.url), 'utf8')) as {
    vectors: {
      dataKeyHex: string;
      keyId: string;
      keyVersion: number;
      saltHex: string;
      ivHex: string;
      context?: Record<string, string>;
      plaintextBase64: string;
      token: string;
    }[];
  };

  it('seals each committed vector to exactly its token, and opens it', () => {
    expect(fixtures.vectors.length).toBeGreaterThan(0);
    for (const v of fixtures.vectors) {
      const dataKey = Buffer.from(v.dataKeyHex, 'hex');
      const ref = { keyId: v.keyId, keyVersion: v.keyVersion };
      const messageKey = newMessageKey(dataKey, ref, Buffer.from(v.saltHex, 'hex'));
      const plaintext = Buffer.from(v.plaintextBase64, 'base64');
      expect(sealWithMessageKey(messageKey, plaintext, v.context, Buffer.from(v.ivHex, 'hex')).toString()).toBe(v.token);
      expect(openWithDataKey(dataKey, parseToken(v.token), v.context).equals(plaintext)).toBe(true);
    }
  });

  it('are what an implementation written from the layout alone produces (node:crypto, none of the service code)', () => {
    for (const v of fixtures.vectors) {
      const ref = Buffer.concat([Buffer.from(v.keyId.replaceAll('-', ''), 'hex'), Buffer.from(v.keyVersion.toString(16).padStart(8, '0'), 'hex')]);
      const salt = Buffer.from(v.saltHex, 'hex');
      const info = Buffer.concat([Buffer.from('envelope-api/ev2/aes-256-gcm', 'ascii'), ref]);
      const key = Buffer.from(hkdfSync('sha256', Buffer.from(v.dataKeyHex, 'hex'), salt, info, 32));
      const header = Buffer.concat([Buffer.from('ev2.', 'ascii'), ref, salt]);
      const entries = Object.entries(v.context ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
      const u32 = (n: number) => Buffer.from(n.toString(16).padStart(8, '0'), 'hex');
      const context = Buffer.concat([
        u32(entries.length),
        ...entries.flat().flatMap((text) => [u32(Buffer.byteLength(text)), Buffer.from(text, 'utf8')]),
      ]);
      const iv = Buffer.from(v.ivHex, 'hex');
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.concat([header, context]));
      const ciphertext = Buffer.concat([cipher.update(Buffer.from(v.plaintextBase64, 'base64')), cipher.final()]);
      expect(`ev2.${Buffer.concat([ref, salt, iv, ciphertext, cipher.getAuthTag()]).toString('base64url')}`).toBe(v.token);
    }
  });
});

describe('encodeContext', () => {
  it('is unambiguous: distinct contexts never encode alike', () => {
    fc.assert(
      fc.property(contextArb, contextArb, (a, b) => {
        const same = JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());
        expect(encodeContext(a).equals(encodeContext(b))).toBe(same);
      }),
    );
    expect(encodeContext({ a: 'bc' }).equals(encodeContext({ ab: 'c' }))).toBe(false);
  });

  it('ignores key order and treats an absent context as empty', () => {
    expect(encodeContext({ x: '1', y: '2' }).equals(encodeContext({ y: '2', x: '1' }))).toBe(true);
    expect(encodeContext(undefined).equals(encodeContext({}))).toBe(true);
  });
});
