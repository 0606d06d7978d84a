/**
 * `npm run review`: writes the access report (docs/access-report.md and .json) from the synthesized
 * stacks. `npm run review -- --base <git ref>` writes nothing: it builds the report for that commit
 * too and prints what changed, widenings first, exiting 1 when anything widened unless
 * `--accept-widening` is given. A ref that names no commit (HEAD~1 in a clone of one commit) has
 * nothing to compare: it says so and exits 0.
 */
import { parseArgs } from 'node:util';
import { commitOf, withCheckout } from './review/base-checkout.js';
import { accessChanges, changesInWords } from './review/changes.js';
import { REPOSITORY, reportOfCheckout, writeReport } from './review/reports.js';

const { values } = parseArgs({ options: { base: { type: 'string' }, 'accept-widening': { type: 'boolean', default: false } } });

async function main(): Promise<number> {
  if (values.base === undefined) {
    const report = await reportOfCheckout(REPOSITORY);
    console.log(`Wrote ${(await writeReport(report)).join(', ')}`);
    const broken = report.invariants.filter((invariant) => !invariant.holds);
    console.log(
      broken.length === 0
        ? `Every promise holds (${report.invariants.length}).`
        : `Promises broken:\n${broken.map((b) => `  ${b.statement}`).join('\n')}`,
    );
    return 0;
  }
  const commit = await commitOf(REPOSITORY, values.base);
  if (commit === undefined) {
    console.log(`Access review: ${values.base} names no commit here, so there is nothing to compare.`);
    return 0;
  }
  const base = await withCheckout(REPOSITORY, commit, reportOfCheckout);
  const changes = accessChanges(base, await reportOfCheckout(REPOSITORY));
  console.log(`Access changes from ${values.base} (${commit.slice(0, 12)}) to this checkout:\n${changesInWords(changes)}`);
  if (!changes.some((change) => change.kind === 'widening')) return 0;
  if (values['accept-widening']) {
    console.log('Widenings accepted (--accept-widening).');
    return 0;
  }
  console.error('Access widened: review the changes above, then pass --accept-widening if they are meant.');
  return 1;
}

process.exitCode = await main();
