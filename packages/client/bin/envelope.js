#!/usr/bin/env node
// A file command allocates a fresh buffer for each piece it seals or opens; each is freed as soon as
// it is written (file-io.ts, freeNow), and V8 frees the rest only when a collection finds them dead.
// A young generation capped at 1 MiB (set below, before any module loads and the young generation
// grows) makes minor collections frequent, and cheap, as the CLI keeps little alive, so that a few
// MiB of spent buffers are resident rather than tens. The old generation keeps its default: a
// 64 MiB limit, which this file once set, kept the peak no lower (3 GiB: 85 MiB either way) and
// made encryption about a sixth slower (2.0 s against 1.7 s until synced). The flag exists from V8 12 (Node.js 22)
// on; an older engine keeps its default rather than print a warning.
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
