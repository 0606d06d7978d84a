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
  onDemandRotationStartDate?: number;
  policy: string;
  tags: { TagKey: string; TagValue: string }[];
}

interface State {
  keys: Record<string, EmulatedKey>;
  aliases: Record<string, string>;
}

const KEY_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Keys, material and aliases, optionally persisted to one JSON file (written atomically). */
export class KeyStore {
  private state: State = { keys: {}, aliases: {} };

  constructor(readonly region: string, readonly accountId: string, private readonly dataFile?: string) {}

  async load(): Promise<void> {
    if (!this.dataFile) return;
    try {
      this.state = JSON.parse(await readFile(this.dataFile, 'utf8')) as State;
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
      ...fields, keyId, arn: this.keyArn(keyId), state: 'Enabled', creationDate: now(),
      materials: [newMaterial()], rotationEnabled: false,
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

  /** Resolves a key id, key ARN, alias name or alias ARN, as KMS does. */
  resolve(keyIdentifier: unknown, { aliases = true } = {}): EmulatedKey {
    if (typeof keyIdentifier !== 'string' || keyIdentifier.length === 0 || keyIdentifier.length > 2048) {
      throw validation('1 validation error detected: Value at \'keyId\' failed to satisfy constraint: Member must have length between 1 and 2048');
    }
    const id = this.keyIdOf(keyIdentifier, aliases);
    const key = id === undefined ? undefined : this.state.keys[id];
    if (!key) throw notFound(`Key '${this.describeMissing(keyIdentifier)}' does not exist`);
    return key;
  }

  listKeys(): EmulatedKey[] {
    return Object.values(this.state.keys);
  }

  aliasesFor(keyId?: string): [string, string][] {
    return Object.entries(this.state.aliases).filter(([, target]) => keyId === undefined || target === keyId);
  }

  createAlias(alias: string, keyId: string): void {
    if (this.state.aliases[alias]) throw new KmsError('AlreadyExistsException', `An alias with the name ${this.aliasArn(alias)} already exists`);
    this.state.aliases[alias] = keyId;
  }

  deleteAlias(alias: string): void {
    if (!this.state.aliases[alias]) throw notFound(`Alias ${this.aliasArn(alias)} is not found.`);
    delete this.state.aliases[alias];
  }

  material(key: EmulatedKey, id: string): KeyMaterial | undefined {
    return key.materials.find((m) => m.id === id);
  }

  rotate(key: EmulatedKey, rotationType: 'AUTOMATIC' | 'ON_DEMAND'): void {
    key.materials.push({ ...newMaterial(), rotationType });
  }

  private keyIdOf(identifier: string, aliases: boolean): string | undefined {
    const arn = /^arn:aws[a-z-]*:kms:[^:]*:\d{12}:(key\/.+|alias\/.+)$/.exec(identifier);
    const local = arn ? arn[1]! : identifier;
    if (local.startsWith('key/')) return local.slice(4);
    if (local.startsWith('alias/')) {
      if (!aliases) throw validation(`Invalid keyId ${identifier}`);
      return this.state.aliases[local];
    }
    if (KEY_ID.test(local)) return local;
    throw notFound(`Invalid keyId ${identifier}`);
  }

  private describeMissing(identifier: string): string {
    if (identifier.startsWith('alias/')) return this.aliasArn(identifier);
    return identifier.startsWith('arn:') ? identifier : this.keyArn(identifier);
  }
}

function newMaterial(): KeyMaterial {
  return { id: randomBytes(16).toString('hex'), key: randomBytes(32).toString('base64'), createdAt: now() };
}

/** KMS dates are epoch seconds. */
export const now = (): number => Date.now() / 1000;
