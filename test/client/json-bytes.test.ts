import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { jsonBytes } from '../../packages/client/src/json-bytes.js';

const plaintext = randomBytes(1024).toString('base64');

describe('jsonBytes', () => {
  it.each([
    ['a 100-item batch', { keyId: 'alias/orders', items: Array.from({ length: 100 }, (_, i) => ({ plaintext, reference: `r${i}` })) }],
    ['a batch with contexts', { keyId: 'k', items: [{ plaintext, context: { tenant: 'a"b\\c', é: '\u2028' } }] }],
    ['members left out, elements null', { a: undefined, items: [undefined, () => 1, Symbol('s'), null, 1], b: () => 1, c: 'x' }],
    ['a first member left out', { a: undefined, items: [] }],
    ['holes', { items: new Array(3).fill(1, 0, 1) }],
    ['lone surrogates and escapes', { 'k"\n': ['\ud800', '\udfff', '\u0000', 'x\ty'] }],
    ['nested arrays and dates', { items: [[1, [2]], { at: new Date(0) }], n: 1.5, t: true, z: null }],
    ['a member with toJSON', { items: [1], when: new Date(0), custom: { toJSON: (key: string) => `key:${key}` } }],
    ['an element with toJSON', { items: [{ toJSON: (key: string) => `key:${key}` }] }],
    ['an object without arrays', { keyId: 'k', plaintext }],
    ['an object with toJSON', { items: [1], toJSON: () => 'whole' }],
    ['an array', [1, { a: [2] }]],
    ['a string', 'text'],
    ['an object without a prototype', Object.assign(Object.create(null) as object, { items: [1] })],
  ])('encodes %s as JSON.stringify does', (_, value) => {
    expect(jsonBytes(value).equals(Buffer.from(JSON.stringify(value)))).toBe(true);
  });

  it('fails on a cycle, as JSON.stringify does', () => {
    const value: { items: unknown[] } = { items: [] };
    value.items.push(value);
    expect(() => jsonBytes(value)).toThrow(TypeError);
  });
});
