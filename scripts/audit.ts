import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command } from 'commander';
import { AuditHasher } from '../lambdas/domain/audit-record.js';
import { auditRecordFilter, readAuditEntries, unfinishedIntents, type AuditQuery } from '../local/audit-query.js';
import { auditFileIn, readLocalAuditKey } from '../local/audit-trail.js';

/**
 * Filters the local runtime's audit entries (`<ENVELOPE_DATA_DIR>/audit.jsonl`: outcomes, and the
 * intents written before changes) and prints the matching ones as JSON lines:
 *
 *   npm run audit -- [--key <keyId|alias>] [--principal <arn>] [--since <iso>] [--until <iso>] [--context k=v ...] [--unfinished]
 *
 * With `--unfinished`, only the intents no outcome completes: changes whose process died before
 * answering and that no retry has answered since (see `unfinishedIntents`).
 * Aliases and context values are hashed with the local audit key, as the records hold them.
 */
function parseQuery(argv: readonly string[]): AuditQuery & { readonly unfinished: boolean } {
  const options = new Command('audit')
    .description("Filter the local runtime's audit records; every criterion given must match.")
    .option('--key <key>', 'a key id, or an alias (alias/<name> or <name>)')
    .option('--principal <arn>', "the caller's ARN, as authenticated")
    .option('--since <iso>', 'records at or after this time')
    .option('--until <iso>', 'records at or before this time')
    .option('--context <pair>', 'a context pair name=value the request carried (repeatable)', (pair: string, pairs: string[]) => [...pairs, pair], [])
    .option('--unfinished', 'only the intents of changes that no outcome completes (the process died, and no retry answered since)', false)
    .parse([...argv])
    .opts<{ key?: string; principal?: string; since?: string; until?: string; context: string[]; unfinished: boolean }>();
  return {
    unfinished: options.unfinished,
    ...(options.key !== undefined && { key: options.key }),
    ...(options.principal !== undefined && { principal: options.principal }),
    ...(options.since !== undefined && { since: isoDate('--since', options.since) }),
    ...(options.until !== undefined && { until: isoDate('--until', options.until) }),
    context: Object.fromEntries(options.context.map(contextPair)),
  };
}

function isoDate(option: string, value: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new Error(`${option} ${value} is not an ISO date.`);
  return date;
}

function contextPair(pair: string): [string, string] {
  const at = pair.indexOf('=');
  if (at <= 0) throw new Error(`--context ${pair} is not name=value.`);
  return [pair.slice(0, at), pair.slice(at + 1)];
}

/** Runs the command line over a data folder; the exit code is the answer. */
export async function main(argv: readonly string[], dataDir = resolve(process.env.ENVELOPE_DATA_DIR ?? '.envelope')): Promise<number> {
  try {
    const query = parseQuery(argv);
    const key = await readLocalAuditKey(dataDir).catch((error: NodeJS.ErrnoException) => {
      throw error.code === 'ENOENT' ? new Error(`no audit key in ${dataDir}: the local runtime creates it on its first start (npm start).`) : error;
    });
    const matches = auditRecordFilter(query, new AuditHasher(key));
    const entries = await readAuditEntries(auditFileIn(dataDir));
    let printed = 0;
    for (const entry of query.unfinished ? unfinishedIntents(entries) : entries) {
      if (!matches(entry)) continue;
      process.stdout.write(`${JSON.stringify(entry)}\n`);
      printed++;
    }
    // Said on stderr, so that stdout stays JSON lines only: an empty answer is not a silent one.
    if (printed === 0) console.error(`audit: no records match (of ${entries.length} in ${auditFileIn(dataDir)})`);
    return 0;
  } catch (error) {
    console.error(`audit: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv);
}
