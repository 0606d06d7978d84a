import BreadcrumbGroup from '@cloudscape-design/components/breadcrumb-group';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Spinner from '@cloudscape-design/components/spinner';
import { follow, keyHref } from '../../router.js';
import { useSession } from '../../session.js';
import { KeyDetails } from './key-details.js';
import { UnreadableKey } from './unreadable-key.js';
import { useKey } from './use-key.js';
import { useKeyChange } from './use-key-change.js';

/**
 * `/keys/{keyId}`. With `npm start`, choosing another identity starts the page afresh: what it
 * shows, and what its forms hold, belonged to the previous caller.
 */
export function KeyPage({ keyId }: { keyId: string }) {
  const { identity } = useSession();
  return <KeyPageAs key={identity} keyId={keyId} />;
}

/** A key's configuration for its administrators; for anyone else, why not, and what they may still try. */
function KeyPageAs({ keyId }: { keyId: string }) {
  const { key, error, reload } = useKey(keyId);
  const change = useKeyChange(reload);
  return (
    <SpaceBetween size="m">
      <BreadcrumbGroup
        items={[
          { text: 'Keys', href: '/keys' },
          { text: key?.alias ?? keyId, href: keyHref(keyId) },
        ]}
        onFollow={follow}
        ariaLabel="Breadcrumbs"
      />
      {key ? (
        <KeyDetails metadata={key} change={change} reload={reload} />
      ) : error ? (
        <UnreadableKey keyId={keyId} error={error} />
      ) : (
        <Spinner size="large" />
      )}
    </SpaceBetween>
  );
}
