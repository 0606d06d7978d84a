import { GRANT_LIMITS, type CreateGrantRequest, type Grant, type GrantPage } from '../../contract/index.js';
import { assertNotState, authorize, isMember } from './authorization.js';
import { rememberedChange, type ChangeRequest } from './change-request.js';
import type { DataKeyRecord } from './data-key.js';
import type { DataKeyStore } from './data-key-store.js';
import { ServiceError } from './errors.js';
import { activeGrants, grantFrom, grantsOf, isSameGrant, keyIdOfGrant } from './grants.js';
import { KeyDirectory } from './key-directory.js';
import { isSamePrincipal } from './principals.js';
import { changeRecord, type RecordChange } from './record-updates.js';

/**
 * Creates, lists, revokes and retires grants on data keys (see grants.ts for what they allow).
 * Every change is a conditional write on the key's record, so concurrent revocations, or a
 * revocation racing a use, leave nothing half-done.
 */
export class GrantManagement {
  /** Always fresh records: no cache between a check and a change. */
  private readonly keys: KeyDirectory;

  constructor(
    private readonly store: DataKeyStore,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.keys = new KeyDirectory(store, { now });
  }

  /**
   * By an administrator of the key. The same name with the same grant answers the existing grant;
   * a retry of the request answers the grant it created, even one revoked since.
   */
  async createGrant(caller: string, keyRef: string, asked: CreateGrantRequest, request?: ChangeRequest): Promise<Grant> {
    let created: Grant | undefined;
    const decide: RecordChange['decide'] = async (record) => {
      assertNotState(record, 'PendingDeletion');
      const now = this.now();
      const grant = grantFrom(asked, record.keyId, caller, now);
      const active = activeGrants(record, now);
      const named = grant.name === null ? undefined : active.find((existing) => existing.name === grant.name);
      if (named !== undefined) {
        if (!isSameGrant(named, grant)) throw new ServiceError('AlreadyExists', `A different grant named ${grant.name} exists on this key.`);
        created = named;
        return {};
      }
      if (active.length >= GRANT_LIMITS.maxActiveGrantsPerKey) {
        throw new ServiceError('LimitExceeded', `A key carries at most ${GRANT_LIMITS.maxActiveGrantsPerKey} active grants; revoke some first.`);
      }
      // Index the grantee before the grant exists, so listing never misses the key.
      await this.store.addMembers(record.keyId, [grant.grantee]);
      created = grant;
      return { grants: byId([...active, grant]) };
    };
    const updated = await this.asAdministrator(caller, keyRef, decide, request, () => ({ grant: created! }));
    return created ?? rememberedChange(updated.requests, request, this.now())!.grant!;
  }

  /** The key's active grants, by administrators, a page at a time in grant id order. */
  async listGrants(caller: string, keyRef: string, limit: number, nextToken?: string): Promise<GrantPage> {
    const record = await this.keys.find(keyRef);
    authorize(record, caller, 'administer');
    const after = nextToken === undefined ? '' : Buffer.from(nextToken, 'base64url').toString();
    const sorted = activeGrants(record, this.now())
      .sort((a, b) => a.grantId.localeCompare(b.grantId))
      .filter((grant) => grant.grantId > after);
    const grants = sorted.slice(0, limit);
    const more = sorted.length > limit;
    return { grants, ...(more && { nextToken: Buffer.from(grants.at(-1)!.grantId).toString('base64url') }) };
  }

  /** By an administrator: the grant stops working at once (cached uses within the cache's max age). */
  async revokeGrant(caller: string, keyRef: string, grantId: string, request?: ChangeRequest): Promise<void> {
    let grantee = '';
    const updated = await this.asAdministrator(
      caller,
      keyRef,
      (record) => {
        grantee = record.grants?.[grantId]?.grantee ?? '';
        return withoutGrant(record, grantId, this.now());
      },
      request,
    );
    await this.dropFromIndexIfGone(updated, grantee);
  }

  /** By the grantee itself, as KMS's retiring principal: the grant id names its key. */
  async retireGrant(caller: string, grantId: string, request?: ChangeRequest): Promise<void> {
    const keyId = keyIdOfGrant(grantId);
    if (keyId === undefined) throw grantNotFound();
    let grantee = '';
    const updated = await changeRecord(this.store, this.keys, keyId, {
      check: (record) => {
        const grant = activeGrants(record, this.now()).find((candidate) => candidate.grantId === grantId);
        if (grant === undefined) throw grantNotFound();
        if (!isSamePrincipal(grant.grantee, caller))
          throw new ServiceError('AccessDenied', 'Only the grantee may retire a grant; administrators revoke it.');
        grantee = grant.grantee;
      },
      decide: (record) => withoutGrant(record, grantId, this.now()),
      request,
      now: this.now,
    }).catch((error: unknown) => {
      throw error instanceof ServiceError && error.code === 'KeyNotFound' ? grantNotFound() : error;
    });
    await this.dropFromIndexIfGone(updated, grantee);
  }

  private asAdministrator(
    caller: string,
    keyRef: string,
    decide: RecordChange['decide'],
    request?: ChangeRequest,
    remember?: RecordChange['remember'],
  ): Promise<DataKeyRecord> {
    return changeRecord(this.store, this.keys, keyRef, {
      check: (record) => authorize(record, caller, 'administer'),
      decide,
      request,
      remember,
      now: this.now,
    });
  }

  /** A principal that neither the policy names nor a grant serves leaves the key's listing index. */
  private async dropFromIndexIfGone(record: DataKeyRecord, principal: string): Promise<void> {
    if (principal === '' || isMember(record, principal) || grantsOf(record, principal, this.now()).length > 0) return;
    await this.store.removeMembers(record.keyId, [principal]);
  }
}

const grantNotFound = () => new ServiceError('GrantNotFound', 'No such active grant.');

const byId = (grants: readonly Grant[]): Record<string, Grant> => Object.fromEntries(grants.map((grant) => [grant.grantId, grant]));

/** The active grants but one; the expired ones are dropped on the way. */
function withoutGrant(record: DataKeyRecord, grantId: string, now: Date): { grants: Record<string, Grant> } {
  const active = activeGrants(record, now);
  if (!active.some((grant) => grant.grantId === grantId)) throw grantNotFound();
  return { grants: byId(active.filter((grant) => grant.grantId !== grantId)) };
}
