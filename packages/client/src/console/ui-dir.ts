import { fileURLToPath } from 'node:url';

/** Where the built UI goes, beside this module (in dist/ once the package is built); until it is built, the folder is missing. */
export const CONSOLE_UI_DIR = fileURLToPath(new URL('ui/', import.meta.url));
