import Alert from '@cloudscape-design/components/alert';
import Header from '@cloudscape-design/components/header';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { ApiError } from '../../api/client.js';
import { describeError } from '../../notifications.js';
import { AccessPanel } from './access-panel.js';

/**
 * The API shows a key's configuration to its administrators only. A user of the key, or a grantee,
 * is refused it but may still encrypt and decrypt: the access panel lets them check that.
 */
export function UnreadableKey({ keyId, error }: { keyId: string; error: unknown }) {
  const refused = error instanceof ApiError && error.status === 403;
  return (
    <SpaceBetween size="l">
      <Header variant="h1">{keyId}</Header>
      <Alert type={refused ? 'info' : 'error'} header={refused ? "You cannot view this key's configuration" : 'The key could not be loaded'}>
        {describeError(error)}
      </Alert>
      {refused ? (
        <AccessPanel
          keyId={keyId}
          description="Only the key's administrators see its configuration. If you are one of its users, or hold a grant on it, you can still use it: try it here."
        />
      ) : null}
    </SpaceBetween>
  );
}
