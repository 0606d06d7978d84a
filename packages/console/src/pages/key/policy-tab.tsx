import Alert from '@cloudscape-design/components/alert';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import Header from '@cloudscape-design/components/header';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { useState } from 'react';
import { api } from '../../api/client.js';
import type { KeyMetadata, PutPolicyRequest } from '../../api/types.js';
import { isValidPrincipalList, principalListErrors, samePrincipals } from '../../components/principal-arns.js';
import { PrincipalsEditor } from '../../components/principals-editor.js';
import { keyPath } from './key-path.js';
import { isLockoutRefusal } from './lockout.js';
import { LockoutModal } from './lockout-modal.js';
import type { KeyChange } from './use-key-change.js';
import { usePending } from './use-pending.js';

/** The key policy: who administers the key and who uses it, edited as two lists of principal ARNs. */
export function PolicyTab({ metadata, change }: { metadata: KeyMetadata; change: KeyChange }) {
  const [admins, setAdmins] = useState<string[]>([...metadata.policy.admins]);
  const [users, setUsers] = useState<string[]>([...metadata.policy.users]);
  const [showErrors, setShowErrors] = useState(false);
  const [lockedOut, setLockedOut] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [saving, pending] = usePending();
  const changed = !samePrincipals(admins, metadata.policy.admins) || !samePrincipals(users, metadata.policy.users);
  const valid = isValidPrincipalList(principalListErrors(admins)) && isValidPrincipalList(principalListErrors(users));

  const save = async (bypassLockoutSafetyCheck: boolean) => {
    setShowErrors(true);
    if (!valid) return;
    const body: PutPolicyRequest = { admins, users, ...(bypassLockoutSafetyCheck ? { bypassLockoutSafetyCheck } : {}) };
    const outcome = await pending(() =>
      change({
        call: () => api<KeyMetadata>('PUT', keyPath(metadata.keyId, '/policy'), { body }),
        success: () => 'Key policy saved.',
        failure: 'The key policy was not saved',
      }),
    );
    setLockedOut(!outcome.ok && isLockoutRefusal(outcome.error));
    setConfirming(false);
  };
  // The refusal was about the administrators as they were: a new list needs a new answer.
  const changeAdmins = (value: string[]) => {
    setAdmins(value);
    setLockedOut(false);
  };
  const reset = () => {
    setAdmins([...metadata.policy.admins]);
    setUsers([...metadata.policy.users]);
    setShowErrors(false);
    setLockedOut(false);
  };

  return (
    <Container
      header={
        <Header
          variant="h2"
          description="Administrators manage the key: its policy, grants, tags and state. Users encrypt and decrypt with it."
          actions={
            <SpaceBetween direction="horizontal" size="xs">
              <Button onClick={reset} disabled={!changed}>
                Reset
              </Button>
              <Button variant="primary" onClick={() => save(false)} loading={saving} disabled={!changed}>
                Save changes
              </Button>
            </SpaceBetween>
          }
        >
          Key policy
        </Header>
      }
    >
      <SpaceBetween size="l">
        {lockedOut ? <LockoutAlert onBypass={() => setConfirming(true)} /> : null}
        <PrincipalsEditor label="Key administrators" value={admins} onChange={changeAdmins} showErrors={showErrors} />
        <PrincipalsEditor label="Key users" value={users} onChange={setUsers} showErrors={showErrors} />
      </SpaceBetween>
      <LockoutModal visible={confirming} saving={saving} onConfirm={() => save(true)} onClose={() => setConfirming(false)} />
    </Container>
  );
}

function LockoutAlert({ onBypass }: { onBypass: () => void }) {
  return (
    <Alert
      type="warning"
      header="This policy would lock you out of the key"
      action={<Button onClick={onBypass}>Save without me as administrator</Button>}
    >
      You are not among the administrators this policy names, so the API refused it to keep you from losing control of the key by mistake. Add
      yourself to the key administrators, or save it anyway if you mean to hand the key over.
    </Alert>
  );
}
