import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import ContentLayout from '@cloudscape-design/components/content-layout';
import CopyToClipboard from '@cloudscape-design/components/copy-to-clipboard';
import Header from '@cloudscape-design/components/header';
import KeyValuePairs from '@cloudscape-design/components/key-value-pairs';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Spinner from '@cloudscape-design/components/spinner';
import StatusIndicator from '@cloudscape-design/components/status-indicator';
import { useCallback } from 'react';
import { ApiError, api } from '../../api/client.js';
import type { MasterKeyStatus } from '../../api/types.js';
import { formatDate } from '../../components/format.js';
import { useApiResource } from '../../components/use-api-resource.js';
import { describeError } from '../../notifications.js';
import { isImported, keyStateStatus, originLabel, rotationPeriodLabel } from './master-key-status.js';

/** The KMS key that wraps every data key, as `GET /v1/master-key` reports it to operators. */
export function MasterKeyPage() {
  const load = useCallback((signal: AbortSignal) => api<MasterKeyStatus>('GET', '/v1/master-key', { signal }), []);
  const { data, error, loading, reload } = useApiResource(load);
  return (
    <ContentLayout
      header={
        <Header
          variant="h1"
          description="The KMS key that wraps every data key of the service. Operators read its state and rotation here; changing it is done in KMS."
          actions={<Button iconName="refresh" ariaLabel="Refresh master key status" loading={loading} onClick={reload} />}
        >
          Master key
        </Header>
      }
    >
      {error !== undefined ? <StatusError error={error} /> : data ? <MasterKeyDetails status={data} /> : <Spinner size="large" />}
    </ContentLayout>
  );
}

function StatusError({ error }: { error: unknown }) {
  const denied = error instanceof ApiError && error.code === 'AccessDenied';
  return (
    <Alert type="error" header={denied ? "You cannot read the master key's status" : "The master key's status could not be read"}>
      <SpaceBetween size="xs">
        <Box variant="p">{describeError(error)}</Box>
        {denied ? <Box variant="p">This page is for operators: it needs the API's operator policy, which allows GET /v1/master-key.</Box> : null}
      </SpaceBetween>
    </Alert>
  );
}

function MasterKeyDetails({ status }: { status: MasterKeyStatus }) {
  const state = keyStateStatus(status.keyState);
  const imported = isImported(status.keyMaterialOrigin);
  return (
    <SpaceBetween size="l">
      <Container header={<Header variant="h2">General configuration</Header>}>
        <KeyValuePairs
          columns={3}
          items={[
            {
              label: 'ARN',
              value: (
                <CopyToClipboard
                  variant="inline"
                  textToCopy={status.keyArn}
                  copyButtonAriaLabel="Copy the master key's ARN"
                  copySuccessText="ARN copied"
                  copyErrorText="ARN failed to copy"
                />
              ),
            },
            { label: 'Status', value: <StatusIndicator type={state.type}>{state.text}</StatusIndicator> },
            { label: 'Origin', value: originLabel(status.keyMaterialOrigin) },
            ...(imported
              ? [{ label: 'Key material expires', value: status.keyMaterialValidTo ? formatDate(status.keyMaterialValidTo) : 'Does not expire' }]
              : []),
          ]}
        />
      </Container>
      <Container
        header={
          <Header
            variant="h2"
            description={imported ? 'KMS does not rotate imported key material: an operator imports new material to rotate it.' : undefined}
          >
            Key rotation
          </Header>
        }
      >
        <KeyValuePairs
          columns={3}
          items={[
            {
              label: 'Automatic rotation',
              value: (
                <StatusIndicator type={status.keyRotationEnabled ? 'success' : 'stopped'}>
                  {status.keyRotationEnabled ? 'Enabled' : 'Disabled'}
                </StatusIndicator>
              ),
            },
            { label: 'Rotation period', value: rotationPeriodLabel(status.rotationPeriodInDays) },
            { label: 'Next rotation date', value: formatDate(status.nextRotationDate) },
          ]}
        />
      </Container>
    </SpaceBetween>
  );
}
