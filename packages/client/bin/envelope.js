#!/usr/bin/env -S node --max-old-space-size=64
// The CLI's own heap never holds more than a page of keys or one 4 MiB value. V8 lets freed Buffer
// memory wait for a collection in proportion to the heap limit: with the default limit, streaming
// a file keeps tens of MiB of spent frames resident; with this one, about a third of that.
//
// npm links this file as `envelope` when it installs the package, before anything is built: the
// program itself is compiled TypeScript, which `prepack` builds into dist/ (and, in the repository,
// the root `prepare` script on `npm install`).
import { existsSync } from 'node:fs';

const main = new URL('../dist/packages/client/src/cli/main.js', import.meta.url);
if (existsSync(main)) {
  await import(main.href);
} else {
  process.stderr.write('error: NotBuilt: the envelope CLI is not built yet: run `npm run build -w @envelope-api/client`.\n');
  // EXIT_CODES.Usage (src/cli/errors.ts), which cannot be imported from an unbuilt package: the setup is wrong, not the data.
  process.exitCode = 2;
}
