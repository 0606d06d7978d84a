// Puts the built web console (the @envelope-api/console workspace's dist/) inside this package, beside
// the server that serves it, so that `envelope console` ships with its pages.
import { cp, stat } from 'node:fs/promises';

const from = new URL('../console/dist/', import.meta.url);
const to = new URL('dist/packages/client/src/console/ui/', import.meta.url);
if (!(await stat(new URL('index.html', from)).catch(() => undefined))) {
  console.error('The web console is not built: run `npm run build -w @envelope-api/console` first.');
  process.exit(1);
}
await cp(from, to, { recursive: true });
