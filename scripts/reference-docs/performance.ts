/** performance.md: the last `npm run bench`'s figures (bench/results.json), and what they cost with bench/prices.ts. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { accessLogFormat, deploymentResources } from '../../bench/deployment-resources.js';
import { performanceSections } from '../../bench/report.js';
import type { StoredResults } from '../../bench/results.js';
import type { Page } from './markdown.js';
import { root } from './repository.js';
import type { Synthesized } from './stacks.js';

const RESULTS = 'bench/results.json';

export function performancePage(synthesized: Synthesized): Page {
  const results = JSON.parse(readFileSync(join(root, RESULTS), 'utf8')) as StoredResults;
  const machine = results.machine === undefined ? '' : ` on ${results.machine.cpus} cores, Node ${results.machine.node}`;
  return {
    file: 'performance.md',
    title: 'Performance and cost figures',
    sources: `\`${RESULTS}\` (written by \`npm run bench\`), \`bench/prices.ts\` and the synthesized stacks`,
    intro: [
      `The last run: ${results.generatedAt ?? 'none yet'}${machine}. What each figure measures, the cost formulas and how to run the bench: [Performance](../performance.md).`,
      'A figure this run did not write (the bench has gained it since) shows as _not measured yet_.',
    ].join(' '),
    sections: performanceSections(results, { resources: deploymentResources(synthesized), accessLogFormat: accessLogFormat(synthesized) }),
  };
}
