import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command } from 'commander';
import { AuditHasher } from '../lambdas/domain/audit-record.js';
import { auditRecordFilter, readAuditRecords, type AuditQuery } from '../local/audit-query.js';
import { auditFileIn, readLocalAuditKey } from '../local/audit-trail.js';

/**
 * Filters the local runtime's audit records (`<ENVELOPE_DATA_DIR>/audit.jsonl`) and prints the
 * matching ones as JSON lines:
 *
 *   npm run audit -- [--key <keyId|alias>] [--principal <arn>] [--since <iso>] [--until <iso>] [--context k=v ...]
 *
 * Aliases and context values are hashed with the local audit key, as the records hold them.
 */
function parseQuery(argv: readonly string[]): AuditQuery {
  const options = new Command('audit')
    .description("Filter the local runtime's audit records; every criterion given must match.")
    .option('--key <key>', 'a key id, or an alias (alias/<name> or <name>)')
    .option('--principal <arn>', "the caller's ARN, as authenticated")
    .option('--since <iso>', 'records at or after this time')
    .option('--until <iso>', 'records at or before this time')
    .option('--context <pair>', 'a context pair name=value the request carried (repeatable)', (pair: string, pairs: string[]) => [...pairs, pair], [])
    .parse([...argv])
    .opts<{ key?: string; principal?: string; since?: string; until?: string; context: string[] }>();
  return {
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
    for (const record of await readAuditRecords(auditFileIn(dataDir))) {
      if (matches(record)) process.stdout.write(`${JSON.stringify(record)}\n`);
    }
    return 0;
  } catch (error) {
    console.error(`audit: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv);
}
