import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { KmsError, notFound } from './errors.js';

export type KeyState = 'Enabled' | 'Disabled' | 'PendingDeletion';
export type RotationType = 'AUTOMATIC' | 'ON_DEMAND';

export interface KeyMaterial {
  readonly id: string;
  /** Base64 AES-256 key. Stored in clear in the local state file: acceptable for a local emulator only. */
  readonly key: string;
  readonly createdAt: number;
  readonly rotationType?: RotationType;
}

export interface EmulatedKey {
  readonly keyId: string;
  readonly arn: string;
  readonly description: string;
  state: KeyState;
  readonly creationDate: number;
  deletionDate?: number;
  readonly materials: KeyMaterial[];
  rotationEnabled: boolean;
  rotationPeriodInDays?: number;
  /** When the next automatic rotation is due, while automatic rotation is enabled. */
  nextRotationDate?: number;
  policy: string;
  readonly tags: readonly { readonly TagKey: string; readonly TagValue: string }[];
}

interface State {
  keys: Record<string, EmulatedKey>;
  /** Alias name to key id. */
  aliases: Record<string, string>;
}

const KEY_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ARN = /^arn:([^:]+):kms:([^:]*):([^:]*):(key|alias)\/(.+)$/;
export const DAY_SECONDS = 86_400;

/** The partition a region belongs to, as it appears in ARNs. */
function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/**
 * Keys, material and aliases, optionally persisted to one JSON file (written atomically). Keys
 * live on the emulator's clock: a key past its deletion date is deleted, with its aliases, when
 * next looked up, and automatic rotations that have come due are applied then, on the dates KMS
 * would have applied them.
 */
export class KeyStore {
  private state: State = emptyState();
  private saved = '';
  readonly partition: string;

  constructor(
    readonly region: string,
    readonly accountId: string,
    private readonly dataFile?: string,
    /** KMS dates are epoch seconds. */
    readonly now: () => number = () => Date.now() / 1000,
  ) {
    this.partition = partitionOf(region);
  }

  async load(): Promise<void> {
    if (!this.dataFile) return;
    try {
      const loaded = JSON.parse(await readFile(this.dataFile, 'utf8')) as Partial<State>;
      this.state = ownEntries(loaded);
      for (const key of Object.values(this.state.keys)) upgrade(key);
      this.saved = JSON.stringify(this.state);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }

  /** Writes the state if anything changed, lazy deletions and rotations included. */
  async save(): Promise<void> {
    if (!this.dataFile) return;
    const text = JSON.stringify(this.state);
    if (text === this.saved) return;
    const temp = `${this.dataFile}.${process.pid}.tmp`;
    await writeFile(temp, text, { mode: 0o600 });
    await rename(temp, this.dataFile);
    this.saved = text;
  }

  create(fields: Pick<EmulatedKey, 'description' | 'policy' | 'tags'>, keyId: string = randomUUID()): EmulatedKey {
    const creationDate = this.now();
    const key: EmulatedKey = {
      ...fields, keyId, arn: this.keyArn(keyId), state: 'Enabled', creationDate, materials: [newMaterial(creationDate)], rotationEnabled: false,
    };
    this.state.keys[keyId] = key;
    return key;
  }

  keyArn(keyId: string): string {
    return `arn:${this.partition}:kms:${this.region}:${this.accountId}:key/${keyId}`;
  }

  aliasArn(alias: string): string {
    return `arn:${this.partition}:kms:${this.region}:${this.accountId}:${alias}`;
  }

  /**
   * Resolves a key id, key ARN, alias name or alias ARN as KMS does. An ARN of another Region is
   * refused as invalid; one of another account or partition names no key here.
   */
  resolve(identifier: string, { aliases = true } = {}): EmulatedKey {
    const arn = ARN.exec(identifier);
    if (arn && arn[2] !== this.region) throw notFound(`Invalid arn ${arn[2]}`);
    const foreign = arn !== null && (arn[1] !== this.partition || arn[3] !== this.accountId);
    const resource = arn ? `${arn[4]}/${arn[5]}` : identifier;
    if (resource.startsWith('alias/') && aliases) return this.resolveAlias(resource, identifier, foreign);
    const id = arn?.[4] === 'key' ? arn[5]! : identifier;
    if (!KEY_ID.test(id)) throw notFound(`Invalid keyId '${identifier}'`);
    const key = foreign ? undefined : this.find(id);
    if (!key) throw notFound(`Key '${arn ? identifier : this.keyArn(id)}' does not exist`);
    return key;
  }

  /** The key with this id as of now, or undefined: never created, or deleted. */
  find(keyId: string): EmulatedKey | undefined {
    if (!Object.hasOwn(this.state.keys, keyId)) return undefined;
    const key = this.state.keys[keyId]!;
    if (key.state === 'PendingDeletion' && key.deletionDate !== undefined && key.deletionDate <= this.now()) {
      this.forget(keyId);
      return undefined;
    }
    this.applyDueRotations(key);
    return key;
  }

  listKeys(): EmulatedKey[] {
    return Object.keys(this.state.keys).map((id) => this.find(id)).filter((key) => key !== undefined);
  }

  aliasesFor(keyId?: string): [string, string][] {
    return Object.entries(this.state.aliases).filter(([, target]) => this.find(target) && (keyId === undefined || target === keyId));
  }

  createAlias(alias: string, keyId: string): void {
    if (Object.hasOwn(this.state.aliases, alias) && this.find(this.state.aliases[alias]!)) {
      throw new KmsError('AlreadyExistsException', `An alias with the name ${this.aliasArn(alias)} already exists`);
    }
    this.state.aliases[alias] = keyId;
  }

  deleteAlias(alias: string): void {
    delete this.state.aliases[alias];
  }

  /** Deletes a key and its aliases. */
  forget(keyId: string): void {
    delete this.state.keys[keyId];
    for (const [alias, target] of Object.entries(this.state.aliases)) {
      if (target === keyId) delete this.state.aliases[alias];
    }
  }

  material(key: EmulatedKey, id: string): KeyMaterial | undefined {
    return key.materials.find((m) => m.id === id);
  }

  rotate(key: EmulatedKey, rotationType: RotationType, at = this.now()): void {
    key.materials.push({ ...newMaterial(at), rotationType });
  }

  /**
   * Automatic rotation: the first rotation is a period after it is enabled. A new period given
   * while it is on counts from the last scheduled rotation (at the earliest now).
   */
  enableRotation(key: EmulatedKey, periodInDays: number): void {
    const from = key.rotationEnabled ? key.nextRotationDate! - key.rotationPeriodInDays! * DAY_SECONDS : this.now();
    Object.assign(key, { rotationEnabled: true, rotationPeriodInDays: periodInDays, nextRotationDate: Math.max(from + periodInDays * DAY_SECONDS, this.now()) });
    this.applyDueRotations(key);
  }

  disableRotation(key: EmulatedKey): void {
    Object.assign(key, { rotationEnabled: false, rotationPeriodInDays: undefined, nextRotationDate: undefined });
  }

  /**
   * Changes the key state. A key that is enabled again after rotations came due while it was not
   * rotates at once if its material is older than the period, and otherwise resumes its schedule.
   */
  setState(key: EmulatedKey, state: KeyState): void {
    const resumes = state === 'Enabled' && key.state !== 'Enabled';
    key.state = state;
    if (!resumes || !key.rotationEnabled || key.nextRotationDate! > this.now()) return;
    const period = key.rotationPeriodInDays! * DAY_SECONDS;
    if (this.now() - key.materials.at(-1)!.createdAt >= period) {
      this.rotate(key, 'AUTOMATIC');
      key.nextRotationDate = this.now() + period;
    } else {
      key.nextRotationDate! += (Math.floor((this.now() - key.nextRotationDate!) / period) + 1) * period;
    }
  }

  scheduleDeletion(key: EmulatedKey, pendingWindowInDays: number): void {
    Object.assign(key, { state: 'PendingDeletion', deletionDate: this.now() + pendingWindowInDays * DAY_SECONDS });
  }

  /** A key whose deletion is cancelled is disabled, as in KMS. */
  cancelDeletion(key: EmulatedKey): void {
    key.deletionDate = undefined;
    this.setState(key, 'Disabled');
  }

  private applyDueRotations(key: EmulatedKey): void {
    if (!key.rotationEnabled || key.state !== 'Enabled') return;
    while (key.nextRotationDate! <= this.now()) {
      this.rotate(key, 'AUTOMATIC', key.nextRotationDate);
      key.nextRotationDate! += key.rotationPeriodInDays! * DAY_SECONDS;
    }
  }

  private resolveAlias(alias: string, identifier: string, foreign: boolean): EmulatedKey {
    const target = !foreign && Object.hasOwn(this.state.aliases, alias) ? this.find(this.state.aliases[alias]!) : undefined;
    if (!target) throw notFound(`Alias ${identifier.startsWith('arn:') ? identifier : this.aliasArn(alias)} is not found.`);
    return target;
  }
}

/** The public identifier of a key material: 64 hex digits, as KMS shows it. */
export const materialId = (material: KeyMaterial): string => createHash('sha256').update(material.id).digest('hex');

function newMaterial(createdAt: number): KeyMaterial {
  return { id: randomBytes(16).toString('hex'), key: randomBytes(32).toString('base64'), createdAt };
}

function emptyState(): State {
  return { keys: Object.create(null) as State['keys'], aliases: Object.create(null) as State['aliases'] };
}

/** A state file's keys and aliases, own well-formed entries only, in objects without a prototype. */
function ownEntries(loaded: Partial<State>): State {
  const state = emptyState();
  for (const [id, key] of Object.entries(loaded.keys ?? {})) if (KEY_ID.test(id)) state.keys[id] = key;
  for (const [alias, target] of Object.entries(loaded.aliases ?? {})) if (alias.startsWith('alias/') && typeof target === 'string') state.aliases[alias] = target;
  return state;
}

/** State files written before the next rotation date was stored derive it as those versions did. */
function upgrade(key: EmulatedKey & { rotationEnabledAt?: number; pendingWindowInDays?: number }): void {
  if (key.rotationEnabled && key.nextRotationDate === undefined) {
    const automatic = key.materials.filter((m) => m.rotationType === 'AUTOMATIC').map((m) => m.createdAt);
    key.nextRotationDate = Math.max(key.rotationEnabledAt ?? key.creationDate, ...automatic) + (key.rotationPeriodInDays ?? 365) * DAY_SECONDS;
  }
  delete key.rotationEnabledAt;
  delete key.pendingWindowInDays;
}
