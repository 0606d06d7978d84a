import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  type QueryCommandOutput,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { TABLE_SCHEMA, VERSION_LAST_USED_ATTRIBUTE, type Grant, type VersionDestruction } from '../../contract/index.js';
import type { RememberedRequest } from './change-request.js';
import type { DataKeyRecord, KeyPolicy, KeyState, StoredVersionInfo } from './data-key.js';
import { observedCall, UNOBSERVED_CALLS, type DependencyObserver } from './dependency-calls.js';
import { translateDependencyError } from './dependency-errors.js';
import { principalIdentity } from './principals.js';

/**
 * DynamoDB persistence for data keys, in one table (TABLE_SCHEMA: partition key `pk`, sort key `sk`):
 *
 *   KEY#<id>        META         metadata, policy, state, current version
 *   KEY#<id>        V#<version>  the wrapped (KMS-encrypted) data key of one version, and the
 *                                request token of the change that created it, if any
 *   ALIAS#<alias>   ALIAS        the alias claim, so an alias is never taken twice
 *   MEMBER#<arn>    KEY#<id>     index of the keys a principal administers or uses
 *
 * Every write is conditional; nothing is overwritten blindly.
 */
export interface StoredVersion {
  readonly wrappedKey: Uint8Array;
  readonly createdAt: string;
}

export interface MemberPage {
  readonly keyIds: readonly string[];
  /** Set when more may follow: the key id to continue after. */
  readonly lastKeyId?: string;
}

export type MetadataChanges = Partial<
  Pick<
    DataKeyRecord,
    'state' | 'deletionDate' | 'policy' | 'tags' | 'grants' | 'minDecryptionVersion' | 'versionDestruction' | 'destroyedThroughVersion'
  >
>;

/** The time-to-live (seconds, or null for none) each version item should carry. */
export type VersionExpiry = (version: number) => number | null;

/** Version expiries, and the metadata revision they follow from. */
export interface StampedExpiry {
  readonly expiry: VersionExpiry;
  readonly revision: number;
}

/** On a version item: the metadata revision its time-to-live was last written from. */
const EXPIRY_REVISION = 'expiryRevision';

/** A change's request, remembered by the write that makes the change; older ones forgotten on the way. */
export interface RequestMemo {
  readonly token: string;
  readonly entry: RememberedRequest;
  readonly forget: readonly string[];
  /** Whether the record holds a map of requests already (DynamoDB sets a map's member only in an existing map). */
  readonly mapExists: boolean;
}

/**
 * The table's time-to-live attribute for a deletion date: DynamoDB removes the metadata once the
 * date passes (reads treat the key as gone from that moment). Null clears it: TTL ignores non-numbers.
 */
export function expiryFor(deletionDate: string | null): Record<string, number | null> {
  return { [TTL]: deletionDate === null ? null : Math.ceil(Date.parse(deletionDate) / 1000) };
}

const { partitionKey: PK, sortKey: SK, timeToLiveAttribute: TTL } = TABLE_SCHEMA;
const itemKey = (pk: string, sk: string) => ({ [PK]: pk, [SK]: sk });
const keyPk = (keyId: string) => `KEY#${keyId}`;
const VERSION_PREFIX = 'V#';
const versionSk = (version: number) => `${VERSION_PREFIX}${String(version).padStart(10, '0')}`;
/** The version a version item's sort key names. */
const versionOf = (item: Record<string, unknown>): number => Number((item[SK] as string).slice(VERSION_PREFIX.length));
const memberPk = (principal: string) => `MEMBER#${principalIdentity(principal)}`;

/** The key of each kind of item in the table (see the layout above): the one place that spells them. */
export const ITEM_KEYS = {
  metadata: (keyId: string) => itemKey(keyPk(keyId), 'META'),
  version: (keyId: string, version: number) => itemKey(keyPk(keyId), versionSk(version)),
  alias: (alias: string) => itemKey(`ALIAS#${alias}`, 'ALIAS'),
  member: (principal: string, keyId: string) => itemKey(memberPk(principal), keyPk(keyId)),
} as const;

const BATCH_WRITE_LIMIT = 25;
const BATCH_GET_LIMIT = 100;

export class DataKeyStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly observeCall: DependencyObserver = UNOBSERVED_CALLS,
  ) {}

  async getRecord(keyId: string): Promise<DataKeyRecord | undefined> {
    const { Item } = await this.call(() =>
      this.db.send(new GetCommand({ TableName: this.tableName, Key: ITEM_KEYS.metadata(keyId), ConsistentRead: true })),
    );
    return Item ? fromItem(Item) : undefined;
  }

  async getRecords(keyIds: readonly string[]): Promise<DataKeyRecord[]> {
    const records: DataKeyRecord[] = [];
    for (let start = 0; start < keyIds.length; start += BATCH_GET_LIMIT) {
      let keys: Record<string, unknown>[] = keyIds.slice(start, start + BATCH_GET_LIMIT).map((id) => ITEM_KEYS.metadata(id));
      while (keys.length > 0) {
        const out = await this.call(() =>
          this.db.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } } })),
        );
        records.push(...(out.Responses?.[this.tableName] ?? []).map(fromItem));
        keys = out.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      }
    }
    return records;
  }

  /** Creates the metadata item; false if the key id exists already. */
  async createRecord(record: DataKeyRecord): Promise<boolean> {
    return this.conditional(() =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: toItem(record),
          ConditionExpression: `attribute_not_exists(${PK})`,
        }),
      ),
    );
  }

  /** Makes a provisional record real; false if a rival create aborted it first. */
  async confirmRecord(keyId: string): Promise<boolean> {
    return this.conditional(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: ITEM_KEYS.metadata(keyId),
          UpdateExpression: 'REMOVE provisional',
          ConditionExpression: 'provisional = :true',
          ExpressionAttributeValues: { ':true': true },
        }),
      ),
    );
  }

  /** Deletes a record that is still provisional; false if it was confirmed (or is gone) already. */
  async abortRecord(keyId: string): Promise<boolean> {
    return this.conditional(() =>
      this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: ITEM_KEYS.metadata(keyId),
          ConditionExpression: 'provisional = :true',
          ExpressionAttributeValues: { ':true': true },
        }),
      ),
    );
  }

  /**
   * Applies changes if nobody changed the record since `revision`; false on a lost race. With a
   * memo, the same write remembers the request that made the change.
   */
  async updateRecord(keyId: string, revision: number, changes: MetadataChanges, memo?: RequestMemo): Promise<boolean> {
    const names: Record<string, string> = { '#revision': 'revision' };
    const values: Record<string, unknown> = { ':revision': revision, ':next': revision + 1 };
    const sets = ['#revision = :next'];
    const fields = 'deletionDate' in changes ? { ...changes, ...expiryFor(changes.deletionDate ?? null) } : changes;
    for (const [field, value] of Object.entries(fields)) {
      names[`#${field}`] = field;
      values[`:${field}`] = value;
      sets.push(`#${field} = :${field}`);
    }
    const removes = memo ? rememberRequest(memo, names, values, sets) : [];
    return this.conditional(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: ITEM_KEYS.metadata(keyId),
          UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ConditionExpression: '#revision = :revision',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      ),
    );
  }

  /** Moves `currentVersion` from `from` to `to` and records the version; false if it moved already. */
  async advanceVersion(keyId: string, from: number, to: number, stored: StoredVersion): Promise<boolean> {
    return this.conditional(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: ITEM_KEYS.metadata(keyId),
          UpdateExpression: 'SET currentVersion = :to, versions.#to = :createdAt, currentWrappedKey = :wrappedKey',
          ConditionExpression: 'currentVersion = :from',
          ExpressionAttributeNames: { '#to': String(to) },
          ExpressionAttributeValues: { ':from': from, ':to': to, ':createdAt': stored.createdAt, ':wrappedKey': stored.wrappedKey },
        }),
      ),
    );
  }

  async getVersion(keyId: string, version: number): Promise<StoredVersion | undefined> {
    const { Item } = await this.call(() =>
      this.db.send(new GetCommand({ TableName: this.tableName, Key: ITEM_KEYS.version(keyId, version), ConsistentRead: true })),
    );
    return Item ? { wrappedKey: Item.wrappedKey as Uint8Array, createdAt: Item.createdAt as string } : undefined;
  }

  /**
   * Stores a version's wrapped key, with the token of the request that creates it; false if that
   * version exists already (never overwritten).
   */
  async putVersion(keyId: string, version: number, stored: StoredVersion, request?: string): Promise<boolean> {
    return this.conditional(() =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...ITEM_KEYS.version(keyId, version), version, ...stored, ...(request !== undefined && { request }) },
          ConditionExpression: `attribute_not_exists(${PK})`,
        }),
      ),
    );
  }

  /** Clears a version's time-to-live (an aborted create set it); false if the version is gone. */
  async keepVersion(keyId: string, version: number): Promise<boolean> {
    return this.conditional(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: ITEM_KEYS.version(keyId, version),
          UpdateExpression: 'REMOVE #ttl',
          ConditionExpression: `attribute_exists(${PK})`,
          ExpressionAttributeNames: { '#ttl': TTL },
        }),
      ),
    );
  }

  /** The version a request created, if any: the request token is written with the version item. */
  async findVersionByRequest(keyId: string, request: string): Promise<number | undefined> {
    // Every page: a query reads at most 1 MB before its filter applies, so the match may be on any page
    // (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.FilterExpression.html).
    const pages = this.queryPages({
      KeyConditionExpression: `${PK} = :pk AND begins_with(${SK}, :versions)`,
      FilterExpression: '#request = :request',
      ExpressionAttributeNames: { '#request': 'request', '#version': 'version' },
      ExpressionAttributeValues: { ':pk': keyPk(keyId), ':versions': VERSION_PREFIX, ':request': request },
      ProjectionExpression: '#version',
      ConsistentRead: true,
    });
    for await (const page of pages) {
      const found = page.Items?.[0];
      if (found) return found.version as number;
    }
    return undefined;
  }

  /**
   * Sets, or with a null deletion date clears, the time-to-live of every item besides the metadata
   * that holds or points to the key's material: each version's wrapped key, the alias claim and the
   * member-index entries. Idempotent: a retry after a crash finishes the job.
   */
  async expireKeyItems(
    keyId: string,
    deletionDate: string | null,
    pointers: { readonly alias: string | null; readonly principals: readonly string[] },
    versions?: StampedExpiry,
  ): Promise<void> {
    const expiry = expiryFor(deletionDate)[TTL]!;
    await Promise.all([
      versions === undefined
        ? this.expireItems((await this.versionNumbers(keyId)).map((version) => ({ key: ITEM_KEYS.version(keyId, version), expiry })))
        : this.stampVersionExpiry(keyId, versions),
      this.expireItems([
        ...[...new Set(pointers.principals.map(principalIdentity))].map((p) => ({ key: ITEM_KEYS.member(p, keyId), expiry })),
        ...(pointers.alias === null ? [] : [{ key: ITEM_KEYS.alias(pointers.alias), expiry, owner: keyId }]),
      ]),
    ]);
  }

  /**
   * Gives every version item the time-to-live `expiry` calls for, stamped with the metadata revision
   * it follows from; an item stamped by a later revision is left as it is. Writers racing on a
   * key's lifecycle (a destruction scheduled while another request cancels it) each write what the
   * record they read calls for, and the newest record's expiries win, whatever the order of arrival.
   */
  async stampVersionExpiry(keyId: string, { expiry, revision }: StampedExpiry): Promise<void> {
    const versions = await this.versionNumbers(keyId);
    await Promise.all(
      versions.map((version) => {
        const ttl = expiry(version);
        return this.conditional(() =>
          this.db.send(
            new UpdateCommand({
              TableName: this.tableName,
              Key: ITEM_KEYS.version(keyId, version),
              UpdateExpression: ttl === null ? 'SET #stamp = :revision REMOVE #ttl' : 'SET #stamp = :revision, #ttl = :ttl',
              ConditionExpression: `attribute_exists(${PK}) AND (attribute_not_exists(#stamp) OR #stamp <= :revision)`,
              ExpressionAttributeNames: { '#ttl': TTL, '#stamp': EXPIRY_REVISION },
              ExpressionAttributeValues: { ':revision': revision, ...(ttl !== null && { ':ttl': ttl }) },
            }),
          ),
        );
      }),
    );
  }

  /** The versions whose items exist, newest last. */
  private async versionNumbers(keyId: string): Promise<number[]> {
    return (await this.versionItems(keyId, SK)).map(versionOf);
  }

  private async versionItems(keyId: string, projection: string, names?: Record<string, string>): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    const pages = this.queryPages({
      KeyConditionExpression: `${PK} = :pk AND begins_with(${SK}, :versions)`,
      ExpressionAttributeValues: { ':pk': keyPk(keyId), ':versions': VERSION_PREFIX },
      ProjectionExpression: projection,
      ...(names && { ExpressionAttributeNames: names }),
      ConsistentRead: true,
    });
    for await (const page of pages) items.push(...(page.Items ?? []));
    return items;
  }

  /** Every page of a query of this table, one request each, read as the caller asks for them. */
  private async *queryPages(input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>): AsyncGenerator<QueryCommandOutput> {
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.call(() => this.db.send(new QueryCommand({ ...input, TableName: this.tableName, ExclusiveStartKey: start })));
      yield page;
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
  }

  /** When each version last decrypted or rewrapped something, by version (the hour, as written by `markVersionUsed`). */
  async versionsLastUsed(keyId: string): Promise<Map<number, string>> {
    const items = await this.versionItems(keyId, `${SK}, #lastUsed`, { '#lastUsed': VERSION_LAST_USED_ATTRIBUTE });
    return new Map(
      items
        .filter((item) => typeof item[VERSION_LAST_USED_ATTRIBUTE] === 'string')
        .map((item) => [versionOf(item), item[VERSION_LAST_USED_ATTRIBUTE] as string]),
    );
  }

  /**
   * Records that a version was used in `hour` (an ISO date on the hour), unless a later or equal
   * hour is there already; false when it was, or when the version is gone (never written back).
   * Writes that one attribute only: the crypto function's role may update no other.
   */
  async markVersionUsed(keyId: string, version: number, hour: string): Promise<boolean> {
    return this.conditional(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: ITEM_KEYS.version(keyId, version),
          UpdateExpression: 'SET #lastUsed = :hour',
          ConditionExpression: `attribute_exists(${PK}) AND (attribute_not_exists(#lastUsed) OR #lastUsed < :hour)`,
          ExpressionAttributeNames: { '#lastUsed': VERSION_LAST_USED_ATTRIBUTE },
          ExpressionAttributeValues: { ':hour': hour },
        }),
      ),
    );
  }

  private async expireItems(keys: readonly { key: Record<string, string>; expiry: number | null; owner?: string }[]): Promise<void> {
    await Promise.all(
      keys.map(({ key, expiry, owner }) => {
        const values = { ...(expiry !== null && { ':ttl': expiry }), ...(owner !== undefined && { ':owner': owner }) };
        return this.conditional(() =>
          this.db.send(
            new UpdateCommand({
              TableName: this.tableName,
              Key: key,
              UpdateExpression: expiry === null ? 'REMOVE #ttl' : 'SET #ttl = :ttl',
              ConditionExpression: owner === undefined ? `attribute_exists(${PK})` : 'keyId = :owner',
              ExpressionAttributeNames: { '#ttl': TTL },
              // DynamoDB refuses an empty map of values.
              ...(Object.keys(values).length > 0 && { ExpressionAttributeValues: values }),
            }),
          ),
        );
      }),
    );
  }

  async getAliasOwner(alias: string): Promise<string | undefined> {
    return (await this.getAliasClaim(alias))?.keyId;
  }

  async getAliasClaim(alias: string): Promise<{ keyId: string; claimedAt: string } | undefined> {
    const { Item } = await this.call(() =>
      this.db.send(new GetCommand({ TableName: this.tableName, Key: ITEM_KEYS.alias(alias), ConsistentRead: true })),
    );
    return Item ? { keyId: Item.keyId as string, claimedAt: Item.claimedAt as string } : undefined;
  }

  /** Claims an alias for a key; with `previousOwner`, takes it over only from that owner. */
  async claimAlias(alias: string, keyId: string, claimedAt: string, previousOwner?: string): Promise<boolean> {
    return this.conditional(() =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...ITEM_KEYS.alias(alias), keyId, claimedAt },
          ...(previousOwner
            ? { ConditionExpression: 'keyId = :previous', ExpressionAttributeValues: { ':previous': previousOwner } }
            : { ConditionExpression: `attribute_not_exists(${PK})` }),
        }),
      ),
    );
  }

  async releaseAlias(alias: string, keyId: string): Promise<void> {
    await this.conditional(() =>
      this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: ITEM_KEYS.alias(alias),
          ConditionExpression: 'keyId = :keyId',
          ExpressionAttributeValues: { ':keyId': keyId },
        }),
      ),
    );
  }

  async addMembers(keyId: string, principals: readonly string[]): Promise<void> {
    await this.writeMembers(principals.map((p) => ({ PutRequest: { Item: { ...ITEM_KEYS.member(p, keyId), keyId } } })));
  }

  async removeMembers(keyId: string, principals: readonly string[]): Promise<void> {
    await this.writeMembers(principals.map((p) => ({ DeleteRequest: { Key: ITEM_KEYS.member(p, keyId) } })));
  }

  /** One page of the keys a principal is indexed under, after `afterKeyId` when given. */
  async listMemberKeys(principal: string, limit: number, afterKeyId?: string): Promise<MemberPage> {
    const pk = memberPk(principal);
    const out = await this.call(() =>
      this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: `${PK} = :pk`,
          ExpressionAttributeValues: { ':pk': pk },
          Limit: limit,
          ExclusiveStartKey: afterKeyId === undefined ? undefined : ITEM_KEYS.member(principal, afterKeyId),
        }),
      ),
    );
    const keyIds = (out.Items ?? []).map((item) => item.keyId as string);
    return { keyIds, ...(out.LastEvaluatedKey && { lastKeyId: keyIds.at(-1) }) };
  }

  /**
   * How many live keys (not pending deletion) a principal administers or uses, counted up to
   * `atMost` (enough to enforce a quota without reading a long index to its end).
   */
  async countMemberKeys(principal: string, atMost: number): Promise<number> {
    let count = 0;
    const pages = this.queryPages({
      KeyConditionExpression: `${PK} = :pk`,
      FilterExpression: 'attribute_not_exists(#ttl)',
      ExpressionAttributeNames: { '#ttl': TTL },
      ExpressionAttributeValues: { ':pk': memberPk(principal) },
      Select: 'COUNT',
    });
    for await (const page of pages) {
      count += page.Count ?? 0;
      if (count >= atMost) break;
    }
    return count;
  }

  private async writeMembers(requests: Record<string, unknown>[]): Promise<void> {
    const unique = [...new Map(requests.map((r) => [JSON.stringify(r), r])).values()];
    for (let start = 0; start < unique.length; start += BATCH_WRITE_LIMIT) {
      let batch = unique.slice(start, start + BATCH_WRITE_LIMIT);
      while (batch.length > 0) {
        const out = await this.call(() => this.db.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: batch } })));
        batch = (out.UnprocessedItems?.[this.tableName] ?? []) as Record<string, unknown>[];
      }
    }
  }

  /** Runs a conditional write: false when its condition fails, rather than an error. */
  private async conditional(write: () => Promise<unknown>): Promise<boolean> {
    try {
      await this.call(write);
      return true;
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  // One choke point for every call, so dependency failures map (and are counted) the same way everywhere.
  private call<T>(operation: () => Promise<T>): Promise<T> {
    return observedCall(operation, (error) => translateDependencyError(error, 'DynamoDB'), this.observeCall);
  }
}

function toItem(record: DataKeyRecord): Record<string, unknown> {
  const { versions, ...rest } = record;
  return {
    ...ITEM_KEYS.metadata(record.keyId),
    ...rest,
    versions: Object.fromEntries(versions.map((v) => [String(v.version), v.createdAt])),
  };
}

function fromItem(item: Record<string, unknown>): DataKeyRecord {
  const versions = Object.entries(item.versions as Record<string, string>)
    .map(([version, createdAt]): StoredVersionInfo => ({ version: Number(version), createdAt }))
    .sort((a, b) => a.version - b.version);
  const policy = item.policy as KeyPolicy;
  return {
    keyId: item.keyId as string,
    alias: (item.alias as string | null) ?? null,
    description: (item.description as string | null) ?? null,
    state: item.state as KeyState,
    currentVersion: item.currentVersion as number,
    versions,
    createdAt: item.createdAt as string,
    createdBy: item.createdBy as string,
    deletionDate: (item.deletionDate as string | null) ?? null,
    policy: { admins: [...policy.admins], users: [...policy.users] },
    tags: { ...(item.tags as Record<string, string> | undefined) },
    // Records written before versions could be retired hold none of these.
    minDecryptionVersion: (item.minDecryptionVersion as number | undefined) ?? 1,
    versionDestruction: (item.versionDestruction as VersionDestruction | null | undefined) ?? null,
    destroyedThroughVersion: (item.destroyedThroughVersion as number | undefined) ?? 0,
    revision: item.revision as number,
    ...(item.currentWrappedKey instanceof Uint8Array && { currentWrappedKey: item.currentWrappedKey }),
    ...(item.provisional === true && { provisional: true }),
    ...(item.grants !== undefined && { grants: item.grants as Record<string, Grant> }),
    ...(item.requests !== undefined && { requests: item.requests as Record<string, RememberedRequest> }),
  };
}

/** Adds the memo's SET (into `sets`, names and values) and answers its REMOVE paths. */
function rememberRequest(memo: RequestMemo, names: Record<string, string>, values: Record<string, unknown>, sets: string[]): string[] {
  names['#requests'] = 'requests';
  if (!memo.mapExists) {
    values[':requests'] = { [memo.token]: memo.entry };
    sets.push('#requests = :requests');
    return [];
  }
  names['#request'] = memo.token;
  values[':request'] = memo.entry;
  sets.push('#requests.#request = :request');
  return memo.forget.map((token, index) => {
    names[`#forget${index}`] = token;
    return `#requests.#forget${index}`;
  });
}
