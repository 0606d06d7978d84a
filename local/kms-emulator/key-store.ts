import { randomBytes, randomUUID } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { KmsError, notFound, validation } from './errors.js';

export type KeyState = 'Enabled' | 'Disabled' | 'PendingDeletion';

export interface KeyMaterial {
  readonly id: string;
  /** Base64 AES-256 key. Stored in clear in the local state file: acceptable for a local emulator only. */
  readonly key: string;
  readonly createdAt: number;
  readonly rotationType?: 'AUTOMATIC' | 'ON_DEMAND';
}

export interface EmulatedKey {
  readonly keyId: string;
  readonly arn: string;
  description: string;
  state: KeyState;
  readonly creationDate: number;
  deletionDate?: number;
  pendingWindowInDays?: number;
  materials: KeyMaterial[];
  rotationEnabled: boolean;
  rotationPeriodInDays?: number;
  /** When automatic rotation was last enabled: the first rotation is a period after it. */
  rotationEnabledAt?: number;
  policy: string;
  tags: { TagKey: string; TagValue: string }[];
}

interface State {
  keys: Record<string, EmulatedKey>;
  aliases: Record<string, string>;
}

const KEY_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ARN = /^arn:([^:]*):kms:([^:]*):([^:]*):((?:key|alias)\/.+)$/;
export const DAY_SECONDS = 86_400;

/**
 * Keys, material and aliases, optionally persisted to one JSON file (written atomically). Keys
 * live on the emulator's clock: a key past its deletion date is deleted when next looked up, and
 * automatic rotations that have come due are applied then, as KMS would have applied them.
 */
export class KeyStore {
  private state: State = emptyState();

  constructor(
    readonly region: string,
    readonly accountId: string,
    private readonly dataFile?: string,
    /** KMS dates are epoch seconds. */
    readonly now: () => number = () => Date.now() / 1000,
  ) {}

  async load(): Promise<void> {
    if (!this.dataFile) return;
    try {
      const loaded = JSON.parse(await readFile(this.dataFile, 'utf8')) as State;
      // Own entries only, into objects with no prototype: nothing in a file can reach Object.prototype.
      this.state = { keys: Object.assign(Object.create(null), loaded.keys), aliases: Object.assign(Object.create(null), loaded.aliases) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }

  async save(): Promise<void> {
    if (!this.dataFile) return;
    const temp = `${this.dataFile}.${process.pid}.tmp`;
    await writeFile(temp, JSON.stringify(this.state), { mode: 0o600 });
    await rename(temp, this.dataFile);
  }

  create(fields: Pick<EmulatedKey, 'description' | 'policy' | 'tags'>): EmulatedKey {
    const keyId = randomUUID();
    const key: EmulatedKey = {
      ...fields, keyId, arn: this.keyArn(keyId), state: 'Enabled', creationDate: this.now(),
      materials: [this.newMaterial()], rotationEnabled: false,
    };
    this.state.keys[keyId] = key;
    return key;
  }

  keyArn(keyId: string): string {
    return `arn:aws:kms:${this.region}:${this.accountId}:key/${keyId}`;
  }

  aliasArn(alias: string): string {
    return `arn:aws:kms:${this.region}:${this.accountId}:${alias}`;
  }

  /** Resolves a key id, key ARN, alias name or alias ARN of this region and account, as KMS does. */
  resolve(keyIdentifier: unknown, { aliases = true } = {}): EmulatedKey {
    if (typeof keyIdentifier !== 'string' || keyIdentifier.length === 0 || keyIdentifier.length > 2048) {
      throw validation('1 validation error detected: Value at \'keyId\' failed to satisfy constraint: Member must have length between 1 and 2048');
    }
    const id = this.keyIdOf(keyIdentifier, aliases);
    const key = id === undefined ? undefined : this.live(id);
    if (!key) throw notFound(`Key '${this.describeMissing(keyIdentifier)}' does not exist`);
    return key;
  }

  listKeys(): EmulatedKey[] {
    return Object.keys(this.state.keys).map((id) => this.live(id)).filter((key) => key !== undefined);
  }

  aliasesFor(keyId?: string): [string, string][] {
    return Object.entries(this.state.aliases).filter(([, target]) => this.live(target) && (keyId === undefined || target === keyId));
  }

  createAlias(alias: string, keyId: string): void {
    if (Object.hasOwn(this.state.aliases, alias) && this.live(this.state.aliases[alias]!)) {
      throw new KmsError('AlreadyExistsException', `An alias with the name ${this.aliasArn(alias)} already exists`);
    }
    this.state.aliases[alias] = keyId;
  }

  deleteAlias(alias: string): void {
    if (!Object.hasOwn(this.state.aliases, alias)) throw notFound(`Alias ${this.aliasArn(alias)} is not found.`);
    delete this.state.aliases[alias];
  }

  material(key: EmulatedKey, id: string): KeyMaterial | undefined {
    return key.materials.find((m) => m.id === id);
  }

  rotate(key: EmulatedKey, rotationType: 'AUTOMATIC' | 'ON_DEMAND', at = this.now()): void {
    key.materials.push({ ...this.newMaterial(at), rotationType });
  }

  /** When the next automatic rotation is due: a period after the later of enabling and the last automatic rotation. */
  nextRotationDate(key: EmulatedKey): number {
    const automatic = key.materials.filter((m) => m.rotationType === 'AUTOMATIC').map((m) => m.createdAt);
    const since = Math.max(key.rotationEnabledAt ?? key.creationDate, ...automatic);
    return since + (key.rotationPeriodInDays ?? 365) * DAY_SECONDS;
  }

  /** The key as of now: undefined once its deletion date has passed (it is then deleted). */
  private live(keyId: string): EmulatedKey | undefined {
    if (!Object.hasOwn(this.state.keys, keyId)) return undefined;
    const key = this.state.keys[keyId]!;
    if (key.state === 'PendingDeletion' && key.deletionDate !== undefined && key.deletionDate <= this.now()) {
      this.forget(keyId);
      return undefined;
    }
    this.applyDueRotations(key);
    return key;
  }

  private applyDueRotations(key: EmulatedKey): void {
    if (!key.rotationEnabled || key.state !== 'Enabled') return;
    for (let due = this.nextRotationDate(key); due <= this.now(); due = this.nextRotationDate(key)) {
      this.rotate(key, 'AUTOMATIC', due);
    }
  }

  /** Deletes a key and its aliases. */
  forget(keyId: string): void {
    delete this.state.keys[keyId];
    for (const [alias, target] of Object.entries(this.state.aliases)) {
      if (target === keyId) delete this.state.aliases[alias];
    }
  }

  private keyIdOf(identifier: string, aliases: boolean): string | undefined {
    const arn = ARN.exec(identifier);
    if (arn && (arn[1] !== 'aws' || arn[2] !== this.region || arn[3] !== this.accountId)) return undefined;
    const local = arn ? arn[4]! : identifier;
    if (local.startsWith('key/')) return local.slice(4);
    if (local.startsWith('alias/')) {
      if (!aliases) throw validation(`Invalid keyId ${identifier}`);
      return Object.hasOwn(this.state.aliases, local) ? this.state.aliases[local] : undefined;
    }
    if (KEY_ID.test(local)) return local;
    throw notFound(`Invalid keyId ${identifier}`);
  }

  private describeMissing(identifier: string): string {
    if (identifier.startsWith('alias/')) return this.aliasArn(identifier);
    return identifier.startsWith('arn:') ? identifier : this.keyArn(identifier);
  }

  private newMaterial(at = this.now()): KeyMaterial {
    return { id: randomBytes(16).toString('hex'), key: randomBytes(32).toString('base64'), createdAt: at };
  }
}

function emptyState(): State {
  return { keys: Object.create(null) as State['keys'], aliases: Object.create(null) as State['aliases'] };
}
