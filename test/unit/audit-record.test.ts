import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AUDIT_HASH_PREFIX, AUDIT_MAX_CONTEXT_ENTRIES, AuditFacts, AuditHasher, type AuditRequest } from '../../lambdas/domain/audit-record.js';
import { newGrantId } from '../../lambdas/domain/grants.js';
import { jsonLine } from '../../lambdas/http/audit-sink.js';
import { namedKeyRef } from '../../lambdas/domain/ciphertext-token.js';

const KEY = 'a'.repeat(64);
const request: AuditRequest = {
  time: new Date('2026-12-04T10:00:00.000Z'),
  requestId: 'r',
  lambdaRequestId: 'l',
  caller: 'arn:aws:iam::111122223333:user/owner',
  sourceIp: '10.0.0.1',
  userAgent: 'ua',
  route: 'POST /v1/encrypt',
  operation: 'encrypt',
  category: 'use',
  outcome: 'ok',
  status: 200,
  latencyMs: 1.23456,
};

describe('AuditHasher', () => {
  it("hashes as docs/audit.md's openssl recipe does, so an investigator can hash a value by hand", () => {
    for (const value of ['acme-4711', 'ünïcødé tenant', 'a=b; c']) {
      const openssl = execFileSync('openssl', ['dgst', '-sha256', '-hmac', KEY], { input: value }).toString().trim().split(' ').pop();
      expect(new AuditHasher(KEY).hash(value)).toBe(`${AUDIT_HASH_PREFIX}${openssl}`);
    }
  });

  it('gives equal values equal hashes under one key, and other hashes under another key', () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        const hash = new AuditHasher(KEY).hash(value);
        expect(new AuditHasher(KEY).hash(value)).toBe(hash);
        expect(new AuditHasher('b'.repeat(64)).hash(value)).not.toBe(hash);
      }),
    );
  });

  it('refuses a short key', () => {
    expect(() => new AuditHasher('short')).toThrow(/at least 32/);
  });
});

describe('AuditFacts', () => {
  it('keeps key ids in clear and hashes aliases and context values, never their clear text', () => {
    const hasher = new AuditHasher(KEY);
    const record = new AuditFacts()
      .keyNamed('alias/orders')
      .keyUsed({ keyId: '6a3e1c52-9b1f-4c1e-8f5a-3d2b7c9e0f14', keyVersion: 2 }, 3)
      .contextGiven({ tenant: 'acme' })
      .record(request, hasher);
    expect(record).toMatchObject({
      keyIds: ['6a3e1c52-9b1f-4c1e-8f5a-3d2b7c9e0f14'],
      aliases: [hasher.hash('orders')],
      keyVersions: [2, 3],
      context: { tenant: hasher.hash('acme') },
      latencyMs: 1.23,
    });
    expect(JSON.stringify(record)).not.toMatch(/"orders"|"acme"/);
  });

  it('counts batch items per key version and outcome, and keeps no context for a batch', () => {
    const ref = { keyId: '6a3e1c52-9b1f-4c1e-8f5a-3d2b7c9e0f14', keyVersion: 1 };
    const facts = new AuditFacts().batchOf(4).contextGiven({ tenant: 'acme' });
    facts.itemDone(ref, 'ok').itemDone(ref, 'ok').itemDone(ref, 'KeyDisabled').itemDone(undefined, 'ValidationError');
    const record = facts.record(request, new AuditHasher(KEY));
    expect(record.context).toBeUndefined();
    expect(record.batch).toEqual({
      items: 4,
      counts: [
        { ...ref, outcome: 'ok', count: 2 },
        { ...ref, outcome: 'KeyDisabled', count: 1 },
        { keyId: null, keyVersion: null, outcome: 'ValidationError', count: 1 },
      ],
    });
  });
});

describe('what a caller typed', () => {
  const hasher = new AuditHasher(KEY);
  const keyId = '6a3e1c52-9b1f-4c1e-8f5a-3d2b7c9e0f14';

  it('keeps only well-formed key ids in clear; any other name of a key is hashed as an alias is', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }).filter((name) => !/^[0-9a-f-]{36}$/.test(name)),
        (name) => {
          const record = new AuditFacts().keyNamed(name).keyNamed(keyId).record(request, hasher);
          expect(record.keyIds).toEqual([keyId]);
          expect(record.aliases).toEqual([hasher.hash(name.startsWith('alias/') ? name.slice('alias/'.length) : name)]);
        },
      ),
    );
    expect(new AuditFacts().keyNamed('jane.doe@example.com').record(request, hasher).keyIds).toEqual([]);
  });

  it('keeps a grant id only when well formed, with the key it names', () => {
    const grantId = newGrantId(keyId);
    expect(new AuditFacts().grantNamed(grantId).record(request, hasher)).toMatchObject({ keyIds: [keyId], change: { grantId } });
    const typed = new AuditFacts().grantNamed('SSN-123-45-6789').record(request, hasher);
    expect(typed.change).toBeUndefined();
    expect(JSON.stringify(typed)).not.toContain('SSN');
  });

  it('bounds the context a record keeps, whatever the context within its 8 KiB', () => {
    const context = Object.fromEntries(Array.from({ length: 4000 }, (_, i) => [`k${i}`, '']));
    const record = new AuditFacts().contextGiven(context).record(request, hasher);
    expect(Object.keys(record.context!)).toHaveLength(AUDIT_MAX_CONTEXT_ENTRIES);
    expect(record.contextEntries).toBe(4000);
    expect(JSON.stringify(record).length).toBeLessThan(16 * 1024);
    expect(new AuditFacts().contextGiven({ a: 'b' }).record(request, hasher).contextEntries).toBeUndefined();
  });

  it('writes one line per record, whatever line separators a caller put in it', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.constantFrom('\u0085', '\u2028', '\u2029', '\n', '\r'), (text, separator) => {
        const record = { userAgent: `${text}${separator}${text}`, context: { [`${separator}key`]: 'v' } };
        const line = jsonLine(record);
        expect(line.split(/[\n\r\u0085\u2028\u2029]/)).toHaveLength(1);
        expect(JSON.parse(line)).toEqual(record);
      }),
    );
  });
});

describe('namedKeyRef', () => {
  it('reads the key version a token names from its first characters, and nothing from what is not a token', () => {
    const keyId = '6a3e1c52-9b1f-4c1e-8f5a-3d2b7c9e0f14';
    const header = Buffer.concat([Buffer.from(keyId.replaceAll('-', ''), 'hex'), Buffer.from([0, 0, 0, 7]), Buffer.alloc(60)]);
    expect(namedKeyRef(`ev2.${header.toString('base64url')}`)).toEqual({ keyId, keyVersion: 7 });
    expect(namedKeyRef('ev2.short')).toBeUndefined();
    expect(namedKeyRef(`ev9.${header.toString('base64url')}`)).toBeUndefined();
    expect(namedKeyRef(`ev2.${Buffer.alloc(40).toString('base64url')}`)).toBeUndefined();
  });
});
