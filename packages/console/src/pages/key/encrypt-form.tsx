import Alert from '@cloudscape-design/components/alert';
import Button from '@cloudscape-design/components/button';
import CopyToClipboard from '@cloudscape-design/components/copy-to-clipboard';
import Form from '@cloudscape-design/components/form';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Textarea from '@cloudscape-design/components/textarea';
import { useState } from 'react';
import { MAX_PLAINTEXT_BYTES } from '../../../../../contract/limits.js';
import type { SealedValue } from '../../api/types.js';
import { describeError } from '../../notifications.js';
import { ContextEditor } from './context-editor.js';
import { type ContextPair, contextErrors, contextOf, isValidContext } from './context-pairs.js';
import { encryptText } from './crypto-requests.js';
import { utf8Length } from './text-codec.js';
import { useAttempt } from './use-attempt.js';

export function EncryptForm({ keyId }: { keyId: string }) {
  const [text, setText] = useState('');
  const [pairs, setPairs] = useState<ContextPair[]>([]);
  const [attempt, run] = useAttempt<SealedValue>();
  const tooLong = utf8Length(text) > MAX_PLAINTEXT_BYTES;
  const encrypt = () => {
    if (!tooLong && isValidContext(contextErrors(pairs))) void run(() => encryptText(keyId, text, contextOf(pairs)));
  };
  return (
    <Form
      header={<Header variant="h3">Encrypt</Header>}
      actions={
        <Button onClick={encrypt} loading={attempt.state === 'pending'}>
          Encrypt
        </Button>
      }
    >
      <SpaceBetween size="m">
        <FormField
          label="Plaintext to encrypt"
          description="Text, sent as its UTF-8 bytes."
          errorText={tooLong ? `At most ${MAX_PLAINTEXT_BYTES / 1024 / 1024} MiB of UTF-8.` : undefined}
        >
          <Textarea value={text} onChange={(event) => setText(event.detail.value)} rows={3} />
        </FormField>
        <ContextEditor
          label="Encryption context"
          description="Optional pairs bound to the ciphertext: decrypt must give the same."
          pairs={pairs}
          onChange={setPairs}
        />
        {attempt.state === 'done' ? <SealedToken sealed={attempt.result} /> : null}
        {attempt.state === 'failed' ? (
          <Alert type="error" header="Encrypt refused">
            {describeError(attempt.error)}
          </Alert>
        ) : null}
      </SpaceBetween>
    </Form>
  );
}

function SealedToken({ sealed }: { sealed: SealedValue }) {
  return (
    <Alert type="success" header={`Encrypted with version ${sealed.keyVersion}`}>
      <CopyToClipboard
        variant="inline"
        textToCopy={sealed.ciphertext}
        copyButtonAriaLabel="Copy ciphertext"
        copySuccessText="Ciphertext copied"
        copyErrorText="Ciphertext not copied"
        wrapText
      />
    </Alert>
  );
}
