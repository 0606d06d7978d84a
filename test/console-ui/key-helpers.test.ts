import { describe, expect, it } from 'vitest';
import { MAX_CONTEXT_BYTES, PENDING_WINDOW_DAYS } from '../../contract/limits.js';
import { contextErrors, contextOf, isValidContext, pairsOf } from '../../packages/console/src/pages/key/context-pairs.js';
import { deletionConfirmation, pendingWindowError } from '../../packages/console/src/pages/key/deletion.js';
import { availableActions, unavailableReason } from '../../packages/console/src/pages/key/key-actions.js';
import { isLockoutRefusal } from '../../packages/console/src/pages/key/lockout.js';
import { sameTags } from '../../packages/console/src/pages/key/same-tags.js';
import { base64ToUtf8, utf8Length, utf8ToBase64 } from '../../packages/console/src/pages/key/text-codec.js';

describe('key actions', () => {
  it('offers what the API allows in each state', () => {
    expect([...availableActions('Enabled')].sort()).toEqual(['disable', 'rotate', 'scheduleDeletion']);
    expect([...availableActions('Disabled')].sort()).toEqual(['enable', 'scheduleDeletion']);
    expect([...availableActions('PendingDeletion')]).toEqual(['cancelDeletion']);
  });

  it('says why rotation is not offered', () => {
    expect(unavailableReason('rotate', 'Enabled')).toBeUndefined();
    expect(unavailableReason('rotate', 'Disabled')).toMatch(/enable it first/);
    expect(unavailableReason('rotate', 'PendingDeletion')).toMatch(/cancel the deletion/);
  });
});

describe('encryption context pairs', () => {
  it('round-trips a context', () => {
    expect(contextOf(pairsOf({ table: 'orders', tenant: '7' }))).toEqual({ table: 'orders', tenant: '7' });
  });

  it('refuses an empty or repeated key at its row', () => {
    const errors = contextErrors([
      { key: 'a', value: '1' },
      { key: '', value: '2' },
      { key: 'a', value: '3' },
    ]);
    expect(errors.rows).toEqual([undefined, expect.stringMatching(/Enter a key/), expect.stringMatching(/pair 1/)]);
    expect(isValidContext(errors)).toBe(false);
  });

  it('counts UTF-8 bytes against the API limit', () => {
    const value = 'é'.repeat(MAX_CONTEXT_BYTES / 2 - 1); // two bytes each
    expect(isValidContext(contextErrors([{ key: 'kk', value }]))).toBe(true);
    expect(contextErrors([{ key: 'kkk', value }]).list).toMatch(String(MAX_CONTEXT_BYTES));
  });
});

const bytesOf = (base64: string) => Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
const base64Of = (bytes: number[]) => btoa(String.fromCharCode(...bytes));

describe('text codec', () => {
  it('sends text as base64 of its UTF-8 and reads it back', () => {
    const text = 'héllo ✓ 🔑';
    expect(new TextDecoder().decode(bytesOf(utf8ToBase64(text)))).toBe(text);
    expect(base64ToUtf8(utf8ToBase64(text))).toEqual({ text });
    expect(utf8Length(text)).toBe(new TextEncoder().encode(text).length);
  });

  it('encodes large texts', () => {
    const text = 'x'.repeat(200_000);
    expect(bytesOf(utf8ToBase64(text)).length).toBe(200_000);
  });

  it('reports bytes that are not UTF-8 by their length', () => {
    expect(base64ToUtf8(base64Of([0xff, 0xfe, 0x00]))).toEqual({ binaryBytes: 3 });
  });
});

describe('lockout refusal', () => {
  it('is the ValidationError that names the bypass', () => {
    const message =
      'This policy would leave you (arn) without admin rights on the key. Add yourself to admins, or send bypassLockoutSafetyCheck: true if that is what you mean.';
    expect(isLockoutRefusal({ code: 'ValidationError', message })).toBe(true);
    expect(isLockoutRefusal({ code: 'AccessDenied', message })).toBe(false);
    expect(isLockoutRefusal({ code: 'ValidationError', message: 'admins: must be an IAM principal ARN' })).toBe(false);
    expect(isLockoutRefusal(undefined)).toBe(false);
  });
});

describe('deletion', () => {
  it('asks for the alias, or the key id without one', () => {
    expect(deletionConfirmation({ alias: 'orders', keyId: 'k-1' })).toBe('orders');
    expect(deletionConfirmation({ alias: null, keyId: 'k-1' })).toBe('k-1');
  });

  it('takes a waiting period within the contract limits', () => {
    expect(pendingWindowError(String(PENDING_WINDOW_DAYS.min))).toBeUndefined();
    expect(pendingWindowError(String(PENDING_WINDOW_DAYS.max))).toBeUndefined();
    for (const bad of ['', ' ', String(PENDING_WINDOW_DAYS.min - 1), String(PENDING_WINDOW_DAYS.max + 1), '7.5', 'x'])
      expect(pendingWindowError(bad)).toMatch(/whole number/);
  });
});

describe('sameTags', () => {
  it('ignores order only', () => {
    expect(sameTags({ a: '1', b: '2' }, { b: '2', a: '1' })).toBe(true);
    expect(sameTags({ a: '1' }, { a: '2' })).toBe(false);
    expect(sameTags({ a: '1' }, { a: '1', b: '' })).toBe(false);
  });
});
