import { randomUUID } from 'node:crypto';
import { assertNotState, authorize, isAllowed, isMember } from './authorization.js';
import { isDataKeyId } from './ciphertext-token.js';
import {
  isDeleted,
  isLive,
  toMetadata,
  toSummary,
  type DataKeyMetadata,
  type DataKeyRecord,
  type DataKeySummary,
  type KeyPolicy,
} from './data-key.js';
import type { DataKeyStore } from './data-key-store.js';
import { MAX_POLICY_PRINCIPALS } from '../../contract/index.js';
import { ServiceError } from './errors.js';
import { KeyDirectory } from './key-directory.js';
import { activeGrants, grantsOf } from './grants.js';
import { keyIdFor, type ChangeRequest } from './change-request.js';
import { addNextVersion, advanceTo, firstVersion } from './key-versions.js';
import { backoff, changeRecord, MAX_OPTIMISTIC_ATTEMPTS, type RecordChange } from './record-updates.js';
import type { MasterKey } from './master-key.js';
import { isRoleSession, isSamePrincipal, principalIdentity } from './principals.js';
import { cancellableDestruction, checkedMinimum, nextDestruction, versionExpiry } from './version-lifecycle.js';

export interface CreateKeyInput {
  readonly alias?: string;
  readonly description?: string;
  readonly tags?: Readonly<Record<string, string>>;
}

export interface KeyPage {
  /** Full metadata of the keys the caller administers; a summary of those it only uses. */
  readonly keys: (DataKeyMetadata | DataKeySummary)[];
  readonly nextToken?: string;
}

export interface KeyManagementOptions {
  readonly now?: () => Date;
  /** Live keys one principal may administer or use; creating past it is 409 LimitExceeded. */
  readonly maxKeysPerPrincipal?: number;
}

export const DEFAULT_MAX_KEYS_PER_PRINCIPAL = 1000;

const DAY_MS = 24 * 60 * 60 * 1000;

/** Creates data keys and manages their lifecycle and policy, on behalf of an authenticated caller. */
export class KeyManagement {
  /** Administration always reads fresh records: no cache between a check and a change. */
  private readonly keys: KeyDirectory;

  private readonly now: () => Date;
  private readonly maxKeysPerPrincipal: number;

  constructor(
    private readonly store: DataKeyStore,
    private readonly masterKey: MasterKey,
    options: KeyManagementOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.maxKeysPerPrincipal = options.maxKeysPerPrincipal ?? DEFAULT_MAX_KEYS_PER_PRINCIPAL;
    this.keys = new KeyDirectory(store, { now: this.now });
  }

  /**
   * Creates a key, all or nothing. Without an alias the metadata write is the commit. With one, the
   * record is written provisional (invisible to readers), then the alias is claimed, then the record
   * confirmed: a create that dies at any point leaves an alias that the next create takes at once.
   * For a request, the key id comes from its token: a retry finds the key an earlier attempt
   * wrote, and finishes its create if it was still provisional, instead of creating another.
   */
  async createKey(caller: string, input: CreateKeyInput, request?: ChangeRequest): Promise<DataKeyMetadata> {
    const keyId = request === undefined ? randomUUID() : keyIdFor(request);
    const earlier = request && (await this.store.getRecord(keyId));
    return earlier ? this.resumeCreate(earlier, request!) : this.newKey(caller, keyId, input, request);
  }

  private async newKey(
    caller: string,
    keyId: string,
    { alias, description, tags = {} }: CreateKeyInput,
    request?: ChangeRequest,
  ): Promise<DataKeyMetadata> {
    if ((await this.store.countMemberKeys(caller, this.maxKeysPerPrincipal)) >= this.maxKeysPerPrincipal) {
      throw new ServiceError(
        'LimitExceeded',
        `You already administer or use ${this.maxKeysPerPrincipal} keys, the most a principal may; schedule the deletion of keys you no longer need.`,
      );
    }
    const { wrappedKey, createdAt } = await firstVersion(this.store, this.masterKey, keyId, this.now(), request?.token);
    const creator = principalIdentity(caller);
    await this.store.addMembers(keyId, [creator]);
    const record: DataKeyRecord = {
      keyId,
      alias: alias ?? null,
      description: description ?? null,
      state: 'Enabled',
      currentVersion: 1,
      versions: [{ version: 1, createdAt }],
      createdAt,
      createdBy: caller,
      deletionDate: null,
      policy: { admins: [creator], users: [creator] },
      tags: { ...tags },
      minDecryptionVersion: 1,
      versionDestruction: null,
      destroyedThroughVersion: 0,
      revision: 1,
      currentWrappedKey: wrappedKey,
    };
    if (!(await this.store.createRecord(alias === undefined ? record : { ...record, provisional: true }))) {
      // Only an attempt of the same request names this key id: it got there first.
      const rival = request && (await this.store.getRecord(keyId));
      if (!rival) throw keyIdTaken();
      return this.resumeCreate(rival, request!);
    }
    if (alias !== undefined) await this.confirmAlias(record, alias);
    // A new key's one version has not been used: its answer is as complete as a describe's.
    return toMetadata(record, this.now(), new Map());
  }

  /** Answers the key an earlier attempt of the request created, confirming its alias first if it had not. */
  private async resumeCreate(record: DataKeyRecord, request: ChangeRequest): Promise<DataKeyMetadata> {
    if (record.provisional === true && record.alias !== null) await this.confirmAlias(record, record.alias);
    request.markRecovered();
    const { provisional: _provisional, ...confirmed } = record;
    return this.withLastUse(confirmed);
  }

  /** Claims the alias for a provisional record, then confirms the record; aborts it if either fails. */
  private async confirmAlias(record: DataKeyRecord, alias: string): Promise<void> {
    const { keyId } = record;
    try {
      await this.claimAlias(alias, keyId);
      // Another attempt of the same create may have confirmed it first.
      if (!(await this.store.confirmRecord(keyId)) && !(await this.isConfirmed(keyId))) throw aliasInUse(alias);
    } catch (error) {
      // Best effort: whatever stays behind is provisional, and the next create of the alias aborts it.
      await this.abort(record)
        .then((aborted) => (aborted ? this.store.releaseAlias(alias, keyId) : undefined))
        .catch(() => undefined);
      throw error;
    }
  }

  private async isConfirmed(keyId: string): Promise<boolean> {
    const record = await this.store.getRecord(keyId);
    return record !== undefined && record.provisional !== true;
  }

  /**
   * One page of the caller's keys; with `tag` (`key:value`), only those carrying it (a page may
   * then hold fewer than `limit`: follow `nextToken`).
   */
  async listKeys(caller: string, limit: number, nextToken?: string, tag?: string): Promise<KeyPage> {
    const page = await this.store.listMemberKeys(caller, limit, decodeNextToken(nextToken));
    const now = this.now();
    // The member index may briefly list more than the policies do; the policies decide.
    const records = await this.store.getRecords(page.keyIds);
    const keys = records
      .filter((record) => (isMember(record, caller) || grantsOf(record, caller, now).length > 0) && isLive(record, now) && hasTag(record, tag))
      .sort((a, b) => page.keyIds.indexOf(a.keyId) - page.keyIds.indexOf(b.keyId))
      .map((record) => this.viewFor(record, caller, now));
    return { keys, ...(page.lastKeyId && { nextToken: Buffer.from(page.lastKeyId).toString('base64url') }) };
  }

  /** Admins see the metadata; users a summary; a grantee only a summary and its own grants. */
  private viewFor(record: DataKeyRecord, caller: string, now: Date): DataKeyMetadata | DataKeySummary {
    if (isAllowed(record, caller, 'administer')) return toMetadata(record, now);
    if (isAllowed(record, caller, 'use')) return toSummary(record);
    return { ...toSummary(record), grants: grantsOf(record, caller, now) };
  }

  /** The key's metadata, with each version's last use (one query of its version items). */
  async describeKey(caller: string, keyRef: string): Promise<DataKeyMetadata> {
    const record = await this.keys.find(keyRef);
    authorize(record, caller, 'administer');
    return this.withLastUse(record);
  }

  private async withLastUse(record: DataKeyRecord): Promise<DataKeyMetadata> {
    return toMetadata(record, this.now(), await this.store.versionsLastUsed(record.keyId));
  }

  /**
   * Sets the oldest version that may decrypt and rewrap: older ones answer KeyVersionRetired from
   * then on (within the functions' cache age), and raising or lowering it again undoes that. The
   * current version can never be retired, and a destroyed one never enabled again.
   */
  async retireVersions(caller: string, keyRef: string, minDecryptionVersion: number, request?: ChangeRequest): Promise<DataKeyMetadata> {
    const retired = await this.change(
      caller,
      keyRef,
      (record) => {
        assertNotState(record, 'PendingDeletion');
        return { minDecryptionVersion: checkedMinimum(record, minDecryptionVersion, this.now()) };
      },
      request,
    );
    // Nothing to expire here, but a cancel that died after clearing is made good (see `stampExpiry`).
    return this.withLastUse(await this.stampExpiry(retired.keyId));
  }

  /**
   * Schedules the destruction of every retired version, as a deletion is scheduled: the metadata
   * first (from the date on, those versions are destroyed for every reader), then their items get
   * the date as their time-to-live, so the table forgets their wrapped keys.
   */
  async scheduleVersionDestruction(caller: string, keyRef: string, pendingWindowInDays: number, request?: ChangeRequest): Promise<DataKeyMetadata> {
    const scheduled = await this.change(
      caller,
      keyRef,
      (record) => {
        assertNotState(record, 'PendingDeletion');
        return nextDestruction(record, this.daysFromNow(pendingWindowInDays), this.now());
      },
      request,
    );
    // A retry finishes what its first attempt may have left undone, from the record as it is now.
    return this.withLastUse(await this.stampExpiry(scheduled.keyId));
  }

  /** Cancels a pending destruction: the versions' time-to-live is cleared before the metadata's, and they stay retired. */
  async cancelVersionDestruction(caller: string, keyRef: string, request?: ChangeRequest): Promise<DataKeyMetadata> {
    const cancelled = await this.change(
      caller,
      keyRef,
      async (record) => {
        cancellableDestruction(record, this.now());
        const kept = { ...record, versionDestruction: null };
        await this.store.stampVersionExpiry(record.keyId, {
          expiry: versionExpiry(kept, record.deletionDate, this.now()),
          revision: record.revision,
        });
        return { versionDestruction: null };
      },
      request,
    );
    return this.withLastUse(await this.stampExpiry(cancelled.keyId));
  }

  /**
   * Gives the key's version items the time-to-live its record calls for now, read afresh, stamped
   * with its revision: after every change of a key's lifecycle, so that racing changes end with the
   * newest record's expiries, and one that died halfway is made good by the next.
   */
  private async stampExpiry(keyId: string): Promise<DataKeyRecord> {
    const fresh = await this.keys.refresh(keyId);
    await this.store.stampVersionExpiry(keyId, { expiry: versionExpiry(fresh, fresh.deletionDate, this.now()), revision: fresh.revision });
    return fresh;
  }

  /**
   * Replaces the key policy. As KMS's PutKeyPolicy does, a policy that would leave the caller unable
   * to administer the key again is refused unless `bypassLockoutSafetyCheck` is set.
   */
  async putPolicy(
    caller: string,
    keyRef: string,
    policy: KeyPolicy,
    bypassLockoutSafetyCheck = false,
    request?: ChangeRequest,
  ): Promise<DataKeyMetadata> {
    const normalized = normalizePolicy(policy);
    let previous: KeyPolicy | undefined;
    let grantees: string[] = [];
    const updated = await this.update(
      caller,
      keyRef,
      async (record) => {
        if (!bypassLockoutSafetyCheck && !normalized.admins.some((admin) => isSamePrincipal(admin, caller))) {
          throw new ServiceError(
            'ValidationError',
            `This policy would leave you (${principalIdentity(caller)}) without admin rights on the key. Add yourself to admins, or send bypassLockoutSafetyCheck: true if that is what you mean.`,
          );
        }
        previous = record.policy;
        grantees = activeGrants(record, this.now()).map((grant) => grant.grantee);
        // Index newcomers before the policy names them, so listing never misses a key.
        await this.store.addMembers(record.keyId, [...normalized.admins, ...normalized.users]);
        return { policy: normalized };
      },
      request,
    );
    // Grantees stay indexed: their grants still list the key for them.
    const remaining = new Set([...normalized.admins, ...normalized.users, ...grantees]);
    const removed = [...(previous?.admins ?? []), ...(previous?.users ?? [])].filter((p) => !remaining.has(p));
    await this.store.removeMembers(updated.keyId, removed);
    return updated;
  }

  /** Replaces the key's tags (admins). */
  putTags(caller: string, keyRef: string, tags: Readonly<Record<string, string>>, request?: ChangeRequest): Promise<DataKeyMetadata> {
    return this.update(caller, keyRef, () => ({ tags: { ...tags } }), request);
  }

  disableKey(caller: string, keyRef: string, request?: ChangeRequest): Promise<DataKeyMetadata> {
    return this.setState(caller, keyRef, 'Disabled', request);
  }

  enableKey(caller: string, keyRef: string, request?: ChangeRequest): Promise<DataKeyMetadata> {
    return this.setState(caller, keyRef, 'Enabled', request);
  }

  /** The end of a waiting period that starts now, as the record stores dates. */
  private daysFromNow(days: number): string {
    return new Date(this.now().getTime() + days * DAY_MS).toISOString();
  }

  /** Enables or disables a key that is not pending deletion (cancelling the deletion comes first). */
  private setState(caller: string, keyRef: string, state: 'Enabled' | 'Disabled', request?: ChangeRequest): Promise<DataKeyMetadata> {
    const decide = (record: DataKeyRecord) => {
      assertNotState(record, 'PendingDeletion');
      return { state };
    };
    return this.update(caller, keyRef, decide, request);
  }

  /**
   * Schedules deletion as crypto-shredding: the metadata first (from then on the key is pending
   * deletion, and gone at the date for every read), then every item that holds or points to its
   * material gets the same time-to-live, so the table forgets the wrapped keys too.
   */
  async scheduleDeletion(caller: string, keyRef: string, pendingWindowInDays: number, request?: ChangeRequest): Promise<DataKeyMetadata> {
    const scheduled = await this.change(
      caller,
      keyRef,
      (record) => {
        assertNotState(record, 'PendingDeletion');
        return { state: 'PendingDeletion', deletionDate: this.daysFromNow(pendingWindowInDays) };
      },
      request,
    );
    // A retry finishes what its first attempt may have left undone: the time-to-live follows the record as it is now.
    const fresh = await this.keys.refresh(scheduled.keyId);
    await this.store.expireKeyItems(fresh.keyId, fresh.deletionDate, pointersOf(fresh), {
      expiry: versionExpiry(fresh, fresh.deletionDate, this.now()),
      revision: fresh.revision,
    });
    return toMetadata(fresh, this.now());
  }

  /** Cancels deletion: the material's time-to-live is cleared before the metadata's, so no crash can leave it expiring. */
  async cancelDeletion(caller: string, keyRef: string, request?: ChangeRequest): Promise<DataKeyMetadata> {
    const cancelled = await this.change(
      caller,
      keyRef,
      async (record) => {
        if (record.state !== 'PendingDeletion') {
          throw new ServiceError('InvalidKeyState', 'The key is not pending deletion.');
        }
        // Versions destroyed, or to be, keep their own time-to-live.
        const expiry = versionExpiry(record, null, this.now());
        await this.store.expireKeyItems(record.keyId, null, pointersOf(record), { expiry, revision: record.revision });
        return { state: 'Disabled', deletionDate: null };
      },
      request,
    );
    return toMetadata(await this.stampExpiry(cancelled.keyId), this.now());
  }

  /**
   * Adds a version; concurrent rotations each get their own (see `addNextVersion`), and the answer
   * names the version this rotation created, whatever concurrent rotations did after it. The
   * version item carries the request's token: a retry finds the version instead of adding one.
   */
  async rotateKey(caller: string, keyRef: string, request?: ChangeRequest): Promise<DataKeyMetadata & { readonly createdVersion: number }> {
    for (let attempt = 0; attempt < MAX_OPTIMISTIC_ATTEMPTS; attempt++) {
      await backoff(attempt);
      const record = await this.keys.find(keyRef);
      authorize(record, caller, 'administer');
      const earlier = request && (await this.store.findVersionByRequest(record.keyId, request.token));
      if (earlier !== undefined) {
        request!.markRecovered();
        await advanceTo(this.store, record, earlier);
        return { ...toMetadata(await this.keys.refresh(record.keyId), this.now()), createdVersion: earlier };
      }
      assertNotState(record, 'PendingDeletion');
      assertNotState(record, 'Disabled');
      if (await addNextVersion(this.store, this.masterKey, record, this.now(), request?.token)) {
        // Read afresh: a read of the record already in flight (shared by concurrent requests) may predate the new version.
        const rotated = await this.keys.refresh(record.keyId);
        authorize(rotated, caller, 'administer');
        return { ...toMetadata(rotated, this.now()), createdVersion: record.currentVersion + 1 };
      }
    }
    throw new ServiceError('Conflict', 'The key is being rotated concurrently; retry.');
  }

  /** Changes the record as one of its administrators; answers the new metadata. */
  private async update(caller: string, keyRef: string, decide: RecordChange['decide'], request?: ChangeRequest): Promise<DataKeyMetadata> {
    return toMetadata(await this.change(caller, keyRef, decide, request), this.now());
  }

  private change(caller: string, keyRef: string, decide: RecordChange['decide'], request?: ChangeRequest): Promise<DataKeyRecord> {
    return changeRecord(this.store, this.keys, keyRef, {
      check: (record) => authorize(record, caller, 'administer'),
      decide,
      request,
      now: this.now,
    });
  }

  /**
   * Claims an alias. A claim is taken over from a key that is gone (deleted, or never written) or
   * whose create has not confirmed it yet: that create is aborted, whether it died or is still
   * running, so an alias is never held by a create that cannot finish.
   */
  private async claimAlias(alias: string, keyId: string): Promise<void> {
    const now = this.now();
    if (await this.store.claimAlias(alias, keyId, now.toISOString())) return;
    const claim = await this.store.getAliasClaim(alias);
    // An earlier attempt of the same create claimed it.
    if (claim?.keyId === keyId) return;
    const owner = claim && (await this.store.getRecord(claim.keyId));
    const free = claim !== undefined && (!owner || isDeleted(owner, now) || (owner.provisional === true && (await this.abort(owner))));
    if (!free || !(await this.store.claimAlias(alias, keyId, now.toISOString(), claim.keyId))) throw aliasInUse(alias);
  }

  /**
   * Aborts a provisional create: deletes its record and expires its version and index entries, so
   * nothing of it stays or counts against a quota. False if the create was confirmed first.
   */
  private async abort(record: DataKeyRecord): Promise<boolean> {
    if (!(await this.store.abortRecord(record.keyId))) return false;
    await this.store.expireKeyItems(record.keyId, this.now().toISOString(), {
      alias: null,
      principals: [...record.policy.admins, ...record.policy.users],
    });
    return true;
  }
}

const aliasInUse = (alias: string) => new ServiceError('AlreadyExists', `Alias ${alias} is already in use.`);
const keyIdTaken = () => new ServiceError('Conflict', 'The new key id is taken; retry.');

function normalizePolicy({ admins, users }: KeyPolicy): KeyPolicy {
  const session = [...admins, ...users].find(isRoleSession);
  if (session !== undefined) {
    throw new ServiceError(
      'ValidationError',
      `${session} is a role session, which ends; name its role instead: ${principalIdentity(session)} (with the role's path, if it has one).`,
    );
  }
  const unique = (arns: readonly string[]) => [...new Set(arns.map(principalIdentity))];
  const normalized = { admins: unique(admins), users: unique(users) };
  if (normalized.admins.length === 0) {
    throw new ServiceError('ValidationError', 'A key policy needs at least one admin, or nobody could ever manage the key again.');
  }
  if (normalized.admins.length > MAX_POLICY_PRINCIPALS || normalized.users.length > MAX_POLICY_PRINCIPALS) {
    throw new ServiceError('ValidationError', `A key policy names at most ${MAX_POLICY_PRINCIPALS} admins and ${MAX_POLICY_PRINCIPALS} users.`);
  }
  return normalized;
}

function hasTag({ tags }: DataKeyRecord, tag: string | undefined): boolean {
  if (tag === undefined) return true;
  const separator = tag.indexOf(':');
  return tags[tag.slice(0, separator)] === tag.slice(separator + 1);
}

function decodeNextToken(nextToken?: string): string | undefined {
  if (nextToken === undefined) return undefined;
  const keyId = Buffer.from(nextToken, 'base64url').toString('utf8');
  if (!isDataKeyId(keyId)) throw new ServiceError('ValidationError', 'nextToken is not valid.');
  return keyId;
}

/** What points to a key's material besides its own items: its alias claim and its members' (and grantees') index entries. */
function pointersOf({ alias, policy, grants = {} }: DataKeyRecord): { alias: string | null; principals: string[] } {
  return { alias, principals: [...policy.admins, ...policy.users, ...Object.values(grants).map((grant) => grant.grantee)] };
}
