/**
 * `npm run docs`: writes the reference pages under docs/reference/, generated from the contract,
 * lambdas/config.ts, the synthesized stacks, the CLI's exit codes and the bench's results, so that no table is typed by hand; one module of
 * reference-docs/ per page. test/docs/reference.test.ts fails when a committed page differs from what this makes.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { environmentPage } from './reference-docs/environment.js';
import { errorsPage } from './reference-docs/errors.js';
import { exitCodesPage } from './reference-docs/exit-codes.js';
import { indexPage } from './reference-docs/index-page.js';
import { limitsPage } from './reference-docs/limits.js';
import { render } from './reference-docs/markdown.js';
import { parametersPage } from './reference-docs/parameters.js';
import { performancePage } from './reference-docs/performance.js';
import { root } from './reference-docs/repository.js';
import { routesPage } from './reference-docs/routes.js';
import { synthesize } from './reference-docs/stacks.js';

/** Where the pages are committed, relative to the repository root: every Markdown file there is generated. */
export const REFERENCE_DIR = 'docs/reference';

/** Every reference page, by file name in REFERENCE_DIR, as `npm run docs` writes it. */
export function referencePages(): Map<string, string> {
  const synthesized = synthesize();
  const pages = [
    routesPage(synthesized),
    errorsPage(),
    environmentPage(synthesized),
    parametersPage(synthesized),
    limitsPage(),
    exitCodesPage(),
    performancePage(synthesized),
  ];
  return new Map([...pages, indexPage(pages)].map((page) => [page.file, render(page)]));
}

/** Writes the pages, and removes any other Markdown file left in REFERENCE_DIR by an earlier run. */
function main(): void {
  const dir = join(root, REFERENCE_DIR);
  const pages = referencePages();
  mkdirSync(dir, { recursive: true });
  for (const stale of readdirSync(dir).filter((file) => file.endsWith('.md') && !pages.has(file))) rmSync(join(dir, stale));
  for (const [file, text] of pages) writeFileSync(join(dir, file), text);
  console.log(`Wrote ${[...pages.keys()].map((file) => `${REFERENCE_DIR}/${file}`).join(', ')}`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
