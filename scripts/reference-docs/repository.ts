import { fileURLToPath } from 'node:url';

/** The repository's root, which the pages' sources are read relative to. */
export const root = fileURLToPath(new URL('../../', import.meta.url));
