import { AuditHasher } from '../lambdas/domain/audit-record.js';
import { activityPage, activityRecordOf } from '../packages/client/src/console/activity-page.js';
import { activityRange } from '../packages/client/src/console/activity-range.js';
import type { ActivitySource } from '../packages/client/src/console/server.js';
import { auditRecordFilter, readAuditRecords } from './audit-query.js';
import { readLocalAuditKey } from './audit-trail.js';
import type { LocalRuntime } from './runtime.js';

/**
 * The Activity page's records for `npm start`: the runtime's own audit file, filtered as `npm run
 * audit` filters it (an alias hashed with the local audit key). It is the operator's view of this
 * machine: the identity the console acts as does not narrow it.
 */
export function localActivity(runtime: Pick<LocalRuntime, 'auditFile' | 'dataDir'>): ActivitySource {
  return async (query) => {
    const range = activityRange(query);
    const hasher = new AuditHasher(await readLocalAuditKey(runtime.dataDir));
    const matches = auditRecordFilter({ key: range.key, principal: range.principal, since: range.from, until: range.to }, hasher);
    const records = (await readAuditRecords(runtime.auditFile)).filter(matches).map(activityRecordOf);
    return activityPage('local', records, range);
  };
}
