import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { KmsError, notFound } from './errors.js';
import { importedMaterialId, type ImportParameters } from './key-import.js';

export type KeyState = 'Enabled' | 'Disabled' | 'PendingDeletion' | 'PendingImport';
export type RotationType = 'AUTOMATIC' | 'ON_DEMAND';
export type ExpirationModel = 'KEY_MATERIAL_EXPIRES' | 'KEY_MATERIAL_DOES_NOT_EXPIRE';

/** How an import of key material expires: ValidTo (epoch seconds) with KEY_MATERIAL_EXPIRES only. */
export interface ImportExpiration {
  readonly expirationModel: ExpirationModel;
  readonly validTo?: number;
}

export interface KeyMaterial extends Partial<ImportExpiration> {
  readonly id: string;
  /**
   * Base64 AES-256 key. Stored in clear in the local state file: acceptable for a local emulator only.
   * Imported material that was deleted or has expired has none: its id, and how its last import
   * expired, stay.
   */
  readonly key?: string;
  readonly createdAt: number;
  readonly rotationType?: RotationType;
  /** KeyMaterialDescription of imported material. */
  readonly description?: string;
}

export interface EmulatedKey {
  readonly keyId: string;
  readonly arn: string;
  readonly description: string;
  /** EXTERNAL for a key made for imported material; absent for AWS_KMS (and in older state files). */
  readonly origin?: 'EXTERNAL';
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
  /** Import token name to what it stands for, until it is used or expires. */
  importParameters: Record<string, ImportParameters>;
}

const KEY_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const IMPORT_TOKEN_NAME = /^[0-9a-f]{64}$/;
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
    this.dropExpiredImportParameters();
    const text = JSON.stringify(this.state);
    if (text === this.saved) return;
    const temp = `${this.dataFile}.${process.pid}.tmp`;
    await writeFile(temp, text, { mode: 0o600 });
    await rename(temp, this.dataFile);
    this.saved = text;
  }

  /** A key with KMS key material, or, with origin EXTERNAL, one without material, pending its import. */
  create(
    fields: Pick<EmulatedKey, 'description' | 'policy' | 'tags'>,
    keyId: string = randomUUID(),
    origin: 'AWS_KMS' | 'EXTERNAL' = 'AWS_KMS',
  ): EmulatedKey {
    const creationDate = this.now();
    const external = origin === 'EXTERNAL';
    const key: EmulatedKey = {
      ...fields,
      keyId,
      arn: this.keyArn(keyId),
      ...(external && { origin }),
      state: external ? 'PendingImport' : 'Enabled',
      creationDate,
      materials: external ? [] : [newMaterial(creationDate)],
      rotationEnabled: false,
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
    this.expireImportedMaterial(key);
    this.applyDueRotations(key);
    return key;
  }

  listKeys(): EmulatedKey[] {
    return Object.keys(this.state.keys)
      .map((id) => this.find(id))
      .filter((key) => key !== undefined);
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

  /** The AES key of a material; imported material that is gone leaves its key pending import. */
  secretOf(key: EmulatedKey, material: KeyMaterial): Buffer {
    if (material.key === undefined) throw new KmsError('KMSInvalidStateException', `${key.arn} is pending import.`);
    return Buffer.from(material.key, 'base64');
  }

  saveImportParameters(name: string, parameters: ImportParameters): void {
    this.state.importParameters[name] = parameters;
  }

  importParameters(name: string): ImportParameters | undefined {
    return Object.hasOwn(this.state.importParameters, name) ? this.state.importParameters[name] : undefined;
  }

  forgetImportParameters(name: string): void {
    delete this.state.importParameters[name];
  }

  /**
   * Imports key material, first or again: the same material keeps its id. A key pending import
   * becomes Enabled ("When key material is successfully imported, the key state of the KMS key
   * changes to Enabled", Importing key material step 4); a disabled key, re-importing to change
   * the expiration, stays disabled, and one pending deletion stays so.
   */
  importMaterial(key: EmulatedKey, secret: Buffer, expiration: ImportExpiration, description: string | undefined): KeyMaterial {
    const id = importedMaterialId(key.keyId, secret);
    const index = key.materials.findIndex((m) => m.id === id);
    const previous = index < 0 ? undefined : key.materials[index]!;
    const material: KeyMaterial = {
      id,
      key: secret.toString('base64'),
      createdAt: previous?.createdAt ?? this.now(),
      ...expiration,
      ...((description ?? previous?.description) !== undefined && { description: description ?? previous!.description }),
    };
    if (index < 0) key.materials.push(material);
    else key.materials[index] = material;
    if (key.state === 'PendingImport') key.state = 'Enabled';
    return material;
  }

  /**
   * Deletes imported material, as DeleteImportedKeyMaterial or its expiry does: the key is then
   * PendingImport, unless it is pending deletion, whose state does not change (DeleteImportedKeyMaterial).
   */
  deleteImportedMaterial(key: EmulatedKey, material: KeyMaterial): void {
    const { key: _secret, ...withoutSecret } = material;
    key.materials[key.materials.indexOf(material)] = withoutSecret;
    if (key.state !== 'PendingDeletion') key.state = 'PendingImport';
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
    Object.assign(key, {
      rotationEnabled: true,
      rotationPeriodInDays: periodInDays,
      nextRotationDate: Math.max(from + periodInDays * DAY_SECONDS, this.now()),
    });
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

  /**
   * A key whose deletion is cancelled is disabled, as in KMS; one whose imported material went
   * meanwhile can only be pending import (Key states of AWS KMS keys: PendingImport is the state of
   * a key whose imported material is deleted or expired).
   */
  cancelDeletion(key: EmulatedKey): void {
    key.deletionDate = undefined;
    this.setState(key, key.origin === 'EXTERNAL' && !key.materials.some(isImported) ? 'PendingImport' : 'Disabled');
  }

  /** Imported material past its ValidTo is deleted, on the emulator's clock, as KMS deletes it. */
  private expireImportedMaterial(key: EmulatedKey): void {
    for (const material of [...key.materials]) {
      if (isImported(material) && material.validTo !== undefined && material.validTo <= this.now()) this.deleteImportedMaterial(key, material);
    }
  }

  private dropExpiredImportParameters(): void {
    for (const [name, parameters] of Object.entries(this.state.importParameters)) {
      // Kept a day past their expiry, so that a late token is answered as expired rather than unknown.
      if (parameters.validTo + DAY_SECONDS <= this.now()) delete this.state.importParameters[name];
    }
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

/** Material that is usable now: imported material not deleted or expired, or KMS material. */
export const isImported = (material: KeyMaterial): boolean => material.key !== undefined;

/** The public identifier of a key material: 64 hex digits, as KMS shows it. */
export const materialId = (material: Pick<KeyMaterial, 'id'>): string => createHash('sha256').update(material.id).digest('hex');

function newMaterial(createdAt: number): KeyMaterial {
  return { id: randomBytes(16).toString('hex'), key: randomBytes(32).toString('base64'), createdAt };
}

function emptyState(): State {
  return {
    keys: Object.create(null) as State['keys'],
    aliases: Object.create(null) as State['aliases'],
    importParameters: Object.create(null) as State['importParameters'],
  };
}

/** A state file's keys and aliases, own well-formed entries only, in objects without a prototype. */
function ownEntries(loaded: Partial<State>): State {
  const state = emptyState();
  for (const [id, key] of Object.entries(loaded.keys ?? {})) if (KEY_ID.test(id)) state.keys[id] = key;
  for (const [alias, target] of Object.entries(loaded.aliases ?? {}))
    if (alias.startsWith('alias/') && typeof target === 'string') state.aliases[alias] = target;
  for (const [name, parameters] of Object.entries(loaded.importParameters ?? {}))
    if (IMPORT_TOKEN_NAME.test(name)) state.importParameters[name] = parameters;
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
