import { describe, expect, it } from 'vitest';
import { ITEM_KEYS } from '../../lambdas/domain/data-key-store.js';
import { domainServicesForFile, TestClock } from '../support/domain-services.js';
import { rejection } from '../support/rejection.js';
import { storedItem } from './table.js';

/**
 * Grants as their key's record stores them, and the member index entries that list the key for a
 * grantee: each change a conditional write on the record.
 */
const ADMIN = 'arn:aws:iam::111122223333:user/admin';
const GRANTEE = 'arn:aws:iam::111122223333:role/batch-job';
const USER = 'arn:aws:iam::111122223333:role/reporting';
const clock = new TestClock();
const services = domainServicesForFile(clock);

const item = (key: Record<string, string>) => storedItem(services(), key);
const storedGrants = async (keyId: string) => (await services().store.getRecord(keyId))?.grants ?? {};

describe('GrantManagement', () => {
  it('stores a grant in its key’s record, and indexes the grantee before', async () => {
    const { keyId } = await services().keys.createKey(ADMIN, {});
    const grant = await services().grants.createGrant(ADMIN, keyId, { grantee: GRANTEE, operations: ['encrypt'] });
    expect(await storedGrants(keyId)).toEqual({ [grant.grantId]: grant });
    expect(await item(ITEM_KEYS.member(GRANTEE, keyId))).toMatchObject({ keyId });
  });

  it('drops a grantee from the index once no grant or policy serves it, not before', async () => {
    const { keyId } = await services().keys.createKey(ADMIN, {});
    const grants = services().grants;
    const revoked = await grants.createGrant(ADMIN, keyId, { grantee: GRANTEE, operations: ['encrypt'] });
    const retired = await grants.createGrant(ADMIN, keyId, { grantee: GRANTEE, operations: ['decrypt'] });
    await grants.revokeGrant(ADMIN, keyId, revoked.grantId);
    expect(await item(ITEM_KEYS.member(GRANTEE, keyId))).toBeDefined();
    await grants.retireGrant(GRANTEE, retired.grantId);
    expect(await item(ITEM_KEYS.member(GRANTEE, keyId))).toBeUndefined();

    await services().keys.putPolicy(ADMIN, keyId, { admins: [ADMIN], users: [USER] });
    const usersGrant = await grants.createGrant(ADMIN, keyId, { grantee: USER, operations: ['encrypt'] });
    await grants.revokeGrant(ADMIN, keyId, usersGrant.grantId);
    expect(await item(ITEM_KEYS.member(USER, keyId))).toBeDefined();
  });

  it('forgets expired grants with the next change of the key’s grants', async () => {
    const { keyId } = await services().keys.createKey(ADMIN, {});
    const expiresAt = new Date(clock.now().getTime() + 86_400_000).toISOString();
    await services().grants.createGrant(ADMIN, keyId, { grantee: GRANTEE, operations: ['encrypt'], expiresAt });
    const lasting = await services().grants.createGrant(ADMIN, keyId, { grantee: GRANTEE, operations: ['decrypt'] });
    clock.advanceDays(2);
    await services().grants.revokeGrant(ADMIN, keyId, lasting.grantId);
    expect(await storedGrants(keyId)).toEqual({});
  });

  it('loses no grant to concurrent creates: each write that lost its race reads again and adds its own', async () => {
    const { keyId } = await services().keys.createKey(ADMIN, {});
    const created = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        services().grants.createGrant(ADMIN, keyId, { grantee: GRANTEE, operations: ['encrypt'], name: `job-${i}` }),
      ),
    );
    expect(Object.keys(await storedGrants(keyId)).sort()).toEqual(created.map((grant) => grant.grantId).sort());
    expect((await services().store.getRecord(keyId))?.revision).toBe(1 + created.length);
  });

  it('refuses a grant on a key pending deletion, and writes nothing', async () => {
    const { keyId } = await services().keys.createKey(ADMIN, {});
    await services().keys.scheduleDeletion(ADMIN, keyId, 7);
    const revision = (await services().store.getRecord(keyId))?.revision;
    expect(await rejection(services().grants.createGrant(ADMIN, keyId, { grantee: GRANTEE, operations: ['encrypt'] }))).toMatchObject({
      code: 'KeyPendingDeletion',
    });
    expect(await services().store.getRecord(keyId)).toMatchObject({ revision });
    expect(await item(ITEM_KEYS.member(GRANTEE, keyId))).toBeUndefined();
  });
});
