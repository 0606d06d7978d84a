import ColumnLayout from '@cloudscape-design/components/column-layout';
import Container from '@cloudscape-design/components/container';
import Header from '@cloudscape-design/components/header';
import { DecryptForm } from './decrypt-form.js';
import { EncryptForm } from './encrypt-form.js';

/**
 * "Test your access": encrypt a text and decrypt a token as the caller, so that a refusal
 * (AccessDenied, KeyDisabled) shows exactly what the API answers.
 */
export function AccessPanel({ keyId, description }: { keyId: string; description?: string }) {
  return (
    <Container
      header={
        <Header variant="h2" description={description ?? 'Encrypt a text and decrypt a token with this key, as yourself.'}>
          Test your access
        </Header>
      }
    >
      <ColumnLayout columns={2} variant="text-grid">
        <EncryptForm keyId={keyId} />
        <DecryptForm />
      </ColumnLayout>
    </Container>
  );
}
