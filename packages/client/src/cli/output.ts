import type { KeyMetadata, KeyPolicy, KeySummary, MasterKeyStatus } from '../../../../contract/index.js';
import type { GlobalOptions } from './globals.js';

/**
 * Prints a command's result on stdout: `--output json` prints the API's JSON (stable, for scripts),
 * `--output table` (the default) the text `table()` makes for humans.
 */
export function print(options: GlobalOptions, value: unknown, table: () => string): Promise<void> {
  return writeStdout(options.output === 'json' ? `${JSON.stringify(value, null, 2)}\n` : `${table()}\n`);
}

/**
 * Writes to stdout and resolves once written, or rejects with the write's error (ENOSPC, EPIPE, EIO…),
 * which main.ts reports as any I/O error: one line, exit 3. Every result goes through here (the file
 * commands' pipeline to stdout handles its own errors, and commander writes help and the version).
 */
export function writeStdout(data: string | Uint8Array): Promise<void> {
  const stdout = process.stdout;
  return new Promise((resolve, reject) => {
    if (stdout.destroyed || stdout.writableEnded) {
      reject(Object.assign(new Error('EPIPE: broken pipe, write'), { code: 'EPIPE' }));
      return;
    }
    stdout.write(data, (error) => (error ? reject(error) : resolve()));
  });
}

/** Informational lines on stderr, for humans, unless `--quiet`. */
export function inform(options: GlobalOptions, line: string): void {
  if (!options.quiet) process.stderr.write(`${line}\n`);
}

const dash = (value: string | null | undefined): string => (value === null || value === undefined || value === '' ? '-' : value);

/** `name  value` rows, the names aligned; a list value takes one line per item. */
export function fields(rows: readonly (readonly [string, string | number | boolean | null | undefined | readonly string[]])[]): string {
  const width = Math.max(...rows.map(([name]) => name.length));
  const lines: string[] = [];
  for (const [name, value] of rows) {
    const values = Array.isArray(value) ? (value.length > 0 ? value : ['-']) : [dash(value === null || value === undefined ? value : String(value))];
    values.forEach((item, index) => {
      lines.push(`${(index === 0 ? name : '').padEnd(width)}  ${item}`);
    });
  }
  return lines.join('\n');
}

/** A table with a header row, columns aligned. */
export function columns(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

const pairs = (record: Record<string, string>): string[] => Object.entries(record).map(([k, v]) => `${k}=${v}`);

export function keyTable(key: KeyMetadata): string {
  return fields([
    ['keyId', key.keyId],
    ['alias', key.alias],
    ['description', key.description],
    ['state', key.state],
    ['currentVersion', key.currentVersion],
    ...versionRows(key),
    ['createdAt', key.createdAt],
    ['createdBy', key.createdBy],
    ['deletionDate', key.deletionDate],
    ['admins', key.policy.admins],
    ['users', key.policy.users],
    ['tags', pairs(key.tags)],
  ]);
}

/** What the version commands print: the key, and where each of its versions stands. */
export function keyVersionsTable(key: KeyMetadata): string {
  return fields([['keyId', key.keyId], ['alias', key.alias], ['state', key.state], ['currentVersion', key.currentVersion], ...versionRows(key)]);
}

/**
 * The versions, one line each (`1  <createdAt>  Retired  last used <hour>`), then the oldest version
 * that may decrypt and the versions destroyed or scheduled for destruction.
 */
function versionRows(key: KeyMetadata): [string, string | number | null | readonly string[]][] {
  const width = (cells: readonly string[]) => Math.max(0, ...cells.map((cell) => cell.length));
  const numbers = key.versions.map((v) => String(v.version));
  const states = key.versions.map((v) => v.state ?? '');
  const lines = key.versions.map((v, i) =>
    [
      numbers[i]!.padStart(width(numbers)),
      v.createdAt,
      states[i]!.padEnd(width(states)),
      v.lastUsedAt === undefined ? '' : `last used ${v.lastUsedAt ?? 'never'}`,
    ]
      .join('  ')
      .trimEnd(),
  );
  const { versionDestruction: destruction, destroyedThroughVersion: destroyed } = key;
  return [
    ['versions', lines],
    ['minDecryptionVersion', key.minDecryptionVersion],
    ['versionDestruction', destruction ? `${range((destroyed ?? 0) + 1, destruction.throughVersion)} at ${destruction.destructionDate}` : null],
    ['destroyedVersions', destroyed ? range(1, destroyed) : null],
  ];
}

/** `versions 1-2`, `version 3`. */
const range = (from: number, through: number): string => (from >= through ? `version ${through}` : `versions ${from}-${through}`);

export function keyListTable(keys: readonly (KeyMetadata | KeySummary)[]): string {
  if (keys.length === 0) return '(no keys)';
  return columns(
    ['KEY ID', 'ALIAS', 'STATE', 'VERSION'],
    keys.map((k) => [k.keyId, dash(k.alias), k.state, String(k.currentVersion)]),
  );
}

export function policyTable(policy: KeyPolicy): string {
  return fields([
    ['admins', policy.admins],
    ['users', policy.users],
  ]);
}

export function masterKeyTable(status: MasterKeyStatus): string {
  return fields([
    ['keyArn', status.keyArn],
    ['keyState', status.keyState],
    ['keyMaterialOrigin', status.keyMaterialOrigin],
    ['keyMaterialValidTo', status.keyMaterialValidTo],
    ['keyRotationEnabled', status.keyRotationEnabled],
    ['rotationPeriodInDays', status.rotationPeriodInDays],
    ['nextRotationDate', status.nextRotationDate],
  ]);
}

/** 1536 → "1.5 KiB". */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}
