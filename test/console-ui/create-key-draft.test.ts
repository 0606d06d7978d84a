import { describe, expect, it } from 'vitest';
import { ApiError } from '../../packages/console/src/api/client.js';
import type { KeyMetadata } from '../../packages/console/src/api/types.js';
import { createKey } from '../../packages/console/src/pages/create-key/create-key.js';
import {
  aliasError,
  createRequest,
  descriptionError,
  EMPTY_DRAFT,
  firstInvalidStep,
  type KeyDraft,
  policyChange,
  stepIsValid,
} from '../../packages/console/src/pages/create-key/key-draft.js';

const OWNER = 'arn:aws:iam::111122223333:user/owner';
const TEAMMATE = 'arn:aws:iam::111122223333:user/teammate';
const CREATED = { admins: [OWNER], users: [OWNER] };

describe('the create wizard fields', () => {
  it('checks the alias as the API does, and says to drop the alias/ prefix', () => {
    expect(aliasError('')).toBeUndefined();
    expect(aliasError('orders_2-b')).toBeUndefined();
    expect(aliasError('alias/orders')).toMatch(/without alias\//);
    expect(aliasError('orders bad')).toMatch(/letters, digits/);
    expect(aliasError('a'.repeat(65))).toMatch(/1 to 64/);
  });

  it('bounds the description', () => {
    expect(descriptionError('x'.repeat(8192))).toBeUndefined();
    expect(descriptionError('x'.repeat(8193))).toMatch(/8193/);
  });

  it('stops at the first step with an error', () => {
    const draft: KeyDraft = { ...EMPTY_DRAFT, tags: [{ key: 'aws:team', value: 'x', existing: false }], users: ['nope'] };
    expect(stepIsValid('details', draft)).toBe(true);
    expect(firstInvalidStep(draft)).toBe('tags');
    expect(stepIsValid('review', draft)).toBe(false);
    expect(firstInvalidStep(EMPTY_DRAFT)).toBeUndefined();
  });

  it('sends only what was given', () => {
    expect(createRequest(EMPTY_DRAFT)).toEqual({});
    const tags = [
      { key: 'team', value: 'payments', existing: false },
      { key: 'gone', value: '', existing: false, markedForRemoval: true },
    ];
    expect(createRequest({ ...EMPTY_DRAFT, alias: 'orders', description: 'd', tags })).toEqual({
      alias: 'orders',
      description: 'd',
      tags: { team: 'payments' },
    });
  });
});

describe('policyChange', () => {
  it('needs no update when the wizard asks for the created policy', () => {
    expect(policyChange(CREATED, EMPTY_DRAFT)).toBeUndefined();
    expect(policyChange(CREATED, { ...EMPTY_DRAFT, admins: [OWNER] })).toBeUndefined();
  });

  it('adds administrators and users beside the creator, and can drop the creator as a user', () => {
    expect(policyChange(CREATED, { ...EMPTY_DRAFT, users: [TEAMMATE] })).toEqual({ admins: [OWNER], users: [OWNER, TEAMMATE] });
    expect(policyChange(CREATED, { ...EMPTY_DRAFT, creatorIsUser: false })).toEqual({ admins: [OWNER], users: [] });
  });
});

describe('createKey', () => {
  const key = (policy = CREATED) => ({ keyId: 'k-1', alias: 'orders', policy }) as unknown as KeyMetadata;

  it('creates, then puts the policy only when it differs', async () => {
    const calls: string[] = [];
    const call = async <T>(method: string, path: string, options?: { body?: unknown }): Promise<T> => {
      calls.push(`${method} ${path} ${JSON.stringify(options?.body)}`);
      return (method === 'POST' ? key() : key({ admins: [OWNER], users: [OWNER, TEAMMATE] })) as T;
    };
    expect((await createKey({ ...EMPTY_DRAFT, alias: 'orders' }, call)).policy).toEqual({ kind: 'unchanged' });
    const created = await createKey({ ...EMPTY_DRAFT, users: [TEAMMATE] }, call);
    expect(created.policy).toEqual({ kind: 'updated' });
    expect(created.key.policy.users).toContain(TEAMMATE);
    expect(calls).toEqual([
      'POST /v1/keys {"alias":"orders"}',
      'POST /v1/keys {}',
      `PUT /v1/keys/k-1/policy {"admins":["${OWNER}"],"users":["${OWNER}","${TEAMMATE}"]}`,
    ]);
  });

  it('answers the created key when the policy update fails, and throws when the create does', async () => {
    const denied = new ApiError(403, 'AccessDenied', 'no');
    const failingPut = async <T>(method: string): Promise<T> => {
      if (method === 'PUT') throw denied;
      return key() as T;
    };
    expect(await createKey({ ...EMPTY_DRAFT, users: [TEAMMATE] }, failingPut)).toEqual({ key: key(), policy: { kind: 'failed', error: denied } });
    const failingPost = async <T>(): Promise<T> => {
      throw denied;
    };
    await expect(createKey(EMPTY_DRAFT, failingPost)).rejects.toBe(denied);
  });
});
