import { describe, expect, it } from 'vitest';
import { ChangeRequest, changeRequestToken } from '../../lambdas/domain/change-request.js';
import type { DataKeyRecord } from '../../lambdas/domain/data-key.js';
import { ServiceError } from '../../lambdas/domain/errors.js';
import { KeyDirectory } from '../../lambdas/domain/key-directory.js';
import { changeRecord, MAX_OPTIMISTIC_ATTEMPTS, type RecordChange } from '../../lambdas/domain/record-updates.js';
import { domainServicesForFile, TestClock } from '../support/domain-services.js';
import { rejection } from '../support/rejection.js';

/**
 * Read, check, decide, write conditionally on the revision read; on a lost race, again. The rival
 * writes here are real writes to the record, made while a change decides.
 */
const ADMIN = 'arn:aws:iam::111122223333:user/admin';
const clock = new TestClock();
const services = domainServicesForFile(clock);

const change = (keyId: string, rest: Partial<RecordChange>) =>
  changeRecord(services().store, new KeyDirectory(services().store, { now: clock.now }), keyId, {
    check: () => {},
    decide: () => ({}),
    now: clock.now,
    ...rest,
  });

/** A rival's write of the record, made as if it had won the race against the change that reads it now. */
async function rivalWrite(record: DataKeyRecord, tags: Record<string, string>): Promise<void> {
  expect(await services().store.updateRecord(record.keyId, record.revision, { tags })).toBe(true);
}

const newKey = () => services().keys.createKey(ADMIN, { tags: { by: 'creator' } });

describe('changeRecord', () => {
  it('decides again on the record a rival wrote after losing the race to it, and writes on top of it', async () => {
    const { keyId } = await newKey();
    const seen: DataKeyRecord[] = [];
    const changed = await change(keyId, {
      decide: async (record) => {
        seen.push(record);
        if (seen.length === 1) await rivalWrite(record, { by: 'rival' });
        return { tags: { ...record.tags, also: 'mine' } };
      },
    });
    expect(seen.map((record) => record.revision)).toEqual([1, 2]);
    expect(changed.tags).toEqual({ by: 'rival', also: 'mine' });
    expect(await services().store.getRecord(keyId)).toMatchObject({ revision: 3, tags: { by: 'rival', also: 'mine' } });
  });

  it(`answers 409 Conflict after ${MAX_OPTIMISTIC_ATTEMPTS} lost races, having written nothing of its own`, async () => {
    const { keyId } = await newKey();
    let decisions = 0;
    const error = await rejection(
      change(keyId, {
        decide: async (record) => {
          decisions++;
          await rivalWrite(record, { by: `rival-${decisions}` });
          return { tags: { by: 'never' } };
        },
      }),
    );
    expect(error).toBeInstanceOf(ServiceError);
    expect(error).toMatchObject({ code: 'Conflict', status: 409 });
    expect(decisions).toBe(MAX_OPTIMISTIC_ATTEMPTS);
    expect(await services().store.getRecord(keyId)).toMatchObject({
      revision: 1 + MAX_OPTIMISTIC_ATTEMPTS,
      tags: { by: `rival-${MAX_OPTIMISTIC_ATTEMPTS}` },
    });
  });

  it('writes nothing, and decides nothing, when the check refuses', async () => {
    const { keyId } = await newKey();
    let decided = false;
    const refusal = new ServiceError('AccessDenied', 'no');
    const error = await rejection(
      change(keyId, {
        check: () => {
          throw refusal;
        },
        decide: () => {
          decided = true;
          return { tags: {} };
        },
      }),
    );
    expect(error).toBe(refusal);
    expect(decided).toBe(false);
    expect(await services().store.getRecord(keyId)).toMatchObject({ revision: 1, tags: { by: 'creator' } });
  });

  it('remembers the request in the same write, and answers its retry from the record: neither checked nor decided again', async () => {
    const { keyId } = await newKey();
    const token = changeRequestToken([ADMIN, 'PUT /v1/keys/{key}/tags', keyId]);
    await change(keyId, { decide: () => ({ tags: { by: 'request' } }), request: new ChangeRequest(token) });
    const written = (await services().store.getRecord(keyId))!;
    expect(written.requests).toEqual({ [token]: { at: Math.floor(clock.now().getTime() / 1000) } });

    // Since then the caller lost its rights; its retry still answers the change it made.
    const retry = new ChangeRequest(token);
    const answered = await change(keyId, {
      check: () => {
        throw new ServiceError('AccessDenied', 'no longer an administrator');
      },
      decide: () => ({ tags: { by: 'again' } }),
      request: retry,
    });
    expect(retry.recovered).toBe(true);
    expect(answered).toEqual(written);
    expect(await services().store.getRecord(keyId)).toEqual(written);
  });
});
