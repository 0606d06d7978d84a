import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The built UI: beside this module once the package is built (the build copies it into dist/), or,
 * when this module runs from a clone's source (as `npm start` does), the console workspace's own
 * build. When neither is built, the first: the server then says the UI is not built.
 */
export const CONSOLE_UI_DIR = [new URL('ui/', import.meta.url), new URL('../../../console/dist/', import.meta.url)]
  .map((url) => fileURLToPath(url))
  .reduce((found, dir) => (existsSync(found) ? found : existsSync(dir) ? dir : found));
