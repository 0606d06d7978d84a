/** The report of a checkout, made and written: the one path `npm run review`, its `--base` and the drift test all take. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REVIEW_TARGET } from './deployment.js';
import { renderMarkdown } from './markdown.js';
import { type AccessReport, accessReport, REPORT_FILES } from './report.js';
import { synthesizeCheckout } from './synthesis.js';

export const REPOSITORY = fileURLToPath(new URL('../../', import.meta.url));

export async function reportOfCheckout(checkout: string): Promise<AccessReport> {
  return accessReport(await synthesizeCheckout(checkout, REVIEW_TARGET));
}

/** The files, by path relative to the repository, as they are committed. */
export function reportFiles(report: AccessReport): Map<string, string> {
  return new Map([
    [REPORT_FILES.markdown, renderMarkdown(report)],
    // One line per plain answer: the file is read by tools, and its diff by people.
    [REPORT_FILES.json, `${JSON.stringify(report, null, 2).replace(/\{\n\s*"decision": "(allowed|denied)"\n\s*\}/g, '{ "decision": "$1" }')}\n`],
  ]);
}

export async function writeReport(report: AccessReport): Promise<string[]> {
  const files = reportFiles(report);
  await Promise.all([...files].map(([file, text]) => writeFile(join(REPOSITORY, file), text)));
  return [...files.keys()];
}
