import Link from '@cloudscape-design/components/link';
import { describeError, type useNotifications } from '../../notifications.js';
import { follow, keyHref } from '../../router.js';
import type { CreatedKey } from './create-key.js';

type Notify = ReturnType<typeof useNotifications>['notify'];

/** Flashes the create's outcome and, apart, the policy update's: a key may exist with the policy unchanged. */
export function announceCreated({ key, policy }: CreatedKey, notify: Notify): void {
  const name = key.alias ?? key.keyId;
  const link = (
    <Link href={keyHref(key.keyId)} onFollow={follow} color="inverted">
      {name}
    </Link>
  );
  if (policy.kind === 'failed') {
    notify({
      type: 'warning',
      header: `Key ${name} was created, but its policy was not updated`,
      content: (
        <>
          {describeError(policy.error)} The key exists with you as its only administrator and user; edit its policy on its page: {link}.
        </>
      ),
    });
    return;
  }
  const withPolicy =
    policy.kind === 'updated' ? ` with ${count(key.policy.admins.length, 'administrator')} and ${count(key.policy.users.length, 'user')}` : '';
  notify({ type: 'success', header: `Key ${name} created${withPolicy}`, content: <>Key id {key.keyId}.</> });
}

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
