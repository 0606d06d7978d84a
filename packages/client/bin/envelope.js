#!/usr/bin/env -S node --max-old-space-size=64
// The CLI's own heap never holds more than a page of keys or one 4 MiB value. A file command
// allocates a fresh buffer for each frame it seals or opens, and V8 frees such buffers only when a
// collection finds them dead, waiting longer the larger the heap may grow: with the default limits,
// streaming a file keeps tens of MiB of spent frames resident. With this heap limit and a young
// generation capped at 1 MiB (set below, before any module loads and the young generation grows;
// minor collections become frequent, and cheap, as the CLI keeps little alive), a few MiB. The flag
// exists from V8 12 (Node.js 22) on; an older engine keeps its default rather than print a warning.
//
// npm links this file as `envelope` when it installs the package, before anything is built: the
// program itself is compiled TypeScript, which `prepack` builds into dist/ (and, in the repository,
// the root `prepare` script on `npm install`).
import { existsSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';

if (Number(process.versions.v8.split('.')[0]) >= 12) setFlagsFromString('--scavenger-max-new-space-capacity-mb=1');

const main = new URL('../dist/packages/client/src/cli/main.js', import.meta.url);
if (existsSync(main)) {
  await import(main.href);
} else {
  process.stderr.write('error: NotBuilt: the envelope CLI is not built yet: run `npm run build -w @envelope-api/client`.\n');
  // EXIT_CODES.Usage (src/cli/errors.ts), which cannot be imported from an unbuilt package: the setup is wrong, not the data.
  process.exitCode = 2;
}
