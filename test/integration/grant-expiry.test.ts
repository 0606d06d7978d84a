import { describe, expect, it } from 'vitest';
import { domainServicesForFile, TestClock } from '../support/domain-services.js';
import { rejection } from '../support/rejection.js';

/** Grants expire on the service's clock, cached or not; a deleted key takes its grants with it. */
const ADMIN = 'arn:aws:iam::111122223333:user/admin';
const GRANTEE = 'arn:aws:iam::111122223333:role/batch-job';
const clock = new TestClock();
const services = domainServicesForFile(clock);

describe('grant expiry', () => {
  it('ends a grant at its date, even for a record the crypto side holds in its cache', async () => {
    const { keys, grants, crypto } = services();
    const key = await keys.createKey(ADMIN, {});
    const expiresAt = new Date(clock.now().getTime() + 2 * 86_400_000).toISOString();
    await grants.createGrant(ADMIN, key.keyId, { grantee: GRANTEE, operations: ['encrypt'], expiresAt });
    await crypto.encrypt(GRANTEE, key.keyId, { plaintext: Buffer.from('within') });

    clock.advanceDays(2);
    expect(await rejection(crypto.encrypt(GRANTEE, key.keyId, { plaintext: Buffer.from('after') }))).toMatchObject({ code: 'AccessDenied' });
    expect((await grants.listGrants(ADMIN, key.keyId, 50)).grants).toEqual([]);
    expect(await rejection(grants.retireGrant(GRANTEE, 'x'))).toMatchObject({ code: 'GrantNotFound' });
  });

  it('goes with its key: past the deletion date no grant works or lists', async () => {
    const { keys, grants, crypto } = services();
    const key = await keys.createKey(ADMIN, {});
    const grant = await grants.createGrant(ADMIN, key.keyId, { grantee: GRANTEE, operations: ['encrypt'] });
    await keys.scheduleDeletion(ADMIN, key.keyId, 7);
    clock.advanceDays(7);
    expect(await rejection(crypto.encrypt(GRANTEE, key.keyId, { plaintext: Buffer.from('x') }))).toMatchObject({ code: 'KeyNotFound' });
    expect(await rejection(grants.retireGrant(GRANTEE, grant.grantId))).toMatchObject({ code: 'GrantNotFound' });
    expect((await keys.listKeys(GRANTEE, 50)).keys).toEqual([]);
  });
});
