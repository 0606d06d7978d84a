import Wizard, { type WizardProps } from '@cloudscape-design/components/wizard';
import { useState } from 'react';
import { ApiError } from '../../api/client.js';
import { describeError, useNotifications } from '../../notifications.js';
import { keyHref, navigate } from '../../router.js';
import { useSession } from '../../session.js';
import { announceCreated } from './announce.js';
import { createKey } from './create-key.js';
import { DetailsStep } from './details-step.js';
import { EMPTY_DRAFT, firstInvalidStep, type KeyDraft, STEPS, type Step, stepIsValid } from './key-draft.js';
import { AdminsStep, UsersStep } from './policy-step.js';
import { ReviewStep } from './review-step.js';
import { TagsStep } from './tags-step.js';

/** The create key wizard, in the KMS console's steps; each step's fields are checked before going on. */
export function CreateKeyPage() {
  const [draft, setDraft] = useState<KeyDraft>(EMPTY_DRAFT);
  const [active, setActive] = useState(0);
  const [attempted, setAttempted] = useState<ReadonlySet<Step>>(new Set());
  const [submitting, setSubmitting] = useState(false);
  const [submitError, setSubmitError] = useState<string>();
  /** An alias the API answered is in use: said at the alias field until it is changed. */
  const [takenAlias, setTakenAlias] = useState<{ readonly alias: string; readonly error: string }>();
  const { notify } = useNotifications();
  const creator = useCreatorName();

  const change = (update: Partial<KeyDraft>) => setDraft((current) => ({ ...current, ...update }));
  const goTo = (index: number) => setActive(index);
  const stop = (step: Step) => {
    setAttempted((current) => new Set(current).add(step));
    setActive(STEPS.indexOf(step));
  };

  const onNavigate = ({ detail }: { detail: WizardProps.NavigateDetail }) => {
    const blocking = STEPS.slice(0, detail.requestedStepIndex).find((step) => !stepIsValid(step, draft));
    if (detail.requestedStepIndex > active && blocking !== undefined) stop(blocking);
    else goTo(detail.requestedStepIndex);
  };

  const onSubmit = async () => {
    const invalid = firstInvalidStep(draft);
    if (invalid !== undefined) return stop(invalid);
    setSubmitting(true);
    setSubmitError(undefined);
    try {
      const created = await createKey(draft);
      announceCreated(created, notify);
      navigate(keyHref(created.key.keyId));
    } catch (error) {
      setSubmitting(false);
      if (!(error instanceof ApiError && error.code === 'AlreadyExists')) return setSubmitError(describeError(error));
      setTakenAlias({ alias: draft.alias, error: describeError(error) });
      setActive(STEPS.indexOf('details'));
    }
  };

  const props = (step: Step) => ({ draft, onChange: change, showErrors: attempted.has(step) });
  return (
    <Wizard
      activeStepIndex={active}
      onNavigate={onNavigate}
      onCancel={() => navigate('/keys')}
      onSubmit={() => void onSubmit()}
      isLoadingNextStep={submitting}
      submitButtonText="Create key"
      i18nStrings={I18N}
      steps={[
        { title: 'Alias and description', content: <DetailsStep {...props('details')} takenAlias={takenAlias} /> },
        { title: 'Add tags', isOptional: true, content: <TagsStep {...props('tags')} /> },
        { title: 'Define key administrators', isOptional: true, content: <AdminsStep {...props('admins')} creator={creator} /> },
        { title: 'Define key users', isOptional: true, content: <UsersStep {...props('users')} creator={creator} /> },
        { title: 'Review', content: <ReviewStep draft={draft} creator={creator} onEdit={goTo} />, errorText: submitError },
      ]}
    />
  );
}

/** Who the key's creator will be: the local identity's ARN under `npm start`; otherwise the user's own credentials. */
function useCreatorName(): string {
  const { session, identity } = useSession();
  return session.identities.find((entry) => entry.name === identity)?.arn ?? 'your IAM identity';
}

const I18N: WizardProps.I18nStrings = {
  stepNumberLabel: (step) => `Step ${step}`,
  collapsedStepsLabel: (step, count) => `Step ${step} of ${count}`,
  skipToButtonLabel: (step) => `Skip to ${step.title}`,
  navigationAriaLabel: 'Steps',
  errorIconAriaLabel: 'Error',
  cancelButton: 'Cancel',
  previousButton: 'Previous',
  nextButton: 'Next',
  optional: 'optional',
  submitButtonLoadingAnnouncement: 'Creating key',
};
