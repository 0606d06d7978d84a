import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { EnvelopeClient } from '../client.js';
import { logsInsightsActivity } from './activity-logs-insights.js';
import { auditLogGroupFinder } from './audit-log-group.js';
import type { ActivitySource } from './server.js';

/**
 * `envelope console`'s Activity page: Logs Insights in the API's region, with the same credentials
 * as the API's calls (the default chain, or `--profile`), over the log group given or the one the
 * stack's saved queries name.
 */
export function awsActivity(client: EnvelopeClient, auditLogGroup?: string): ActivitySource {
  const logs = new CloudWatchLogsClient({ region: client.target.region });
  const logGroup = auditLogGroup === undefined ? auditLogGroupFinder(logs, client.target.endpoint) : () => Promise.resolve(auditLogGroup);
  return logsInsightsActivity({ logs, logGroup });
}
