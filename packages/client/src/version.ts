import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let version: string | undefined;

/**
 * The package's version, from its package.json (above src/ when run from source, above dist/ when
 * built): the one source of the CLI's `--version` and of the User-Agent the client sends.
 */
export function packageVersion(): string {
  version ??= readVersion();
  return version;
}

function readVersion(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    try {
      const { name, version } = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (name === '@envelope-api/client' && version) return version;
    } catch {
      // Not ours, or unreadable: look further up.
    }
  }
  return 'unknown';
}
