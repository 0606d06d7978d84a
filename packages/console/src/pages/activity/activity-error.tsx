import Alert from '@cloudscape-design/components/alert';
import Button from '@cloudscape-design/components/button';
import { ApiError } from '../../api/client.js';
import { describeError } from '../../notifications.js';

/**
 * Why there are no records to show: the console's server has no audit trail (404: a server that
 * cannot read one), the trail cannot be read now (503: Logs Insights or the local file), or another
 * error; each as the code and message answered.
 */
export function ActivityError({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  const status = error instanceof ApiError ? error.status : 0;
  if (status === 404) {
    return (
      <Alert type="info" header="No audit trail to read">
        {describeError(error)} The console reads the local runtime's audit records under npm start, and the stack's saved Logs Insights queries when
        it is deployed.
      </Alert>
    );
  }
  const unavailable = status === 503 || status === 0;
  return (
    <Alert
      type="error"
      header={unavailable ? 'The audit trail cannot be read right now' : 'The activity could not be read'}
      action={<Button onClick={onRetry}>Retry</Button>}
    >
      {describeError(error)}
    </Alert>
  );
}
