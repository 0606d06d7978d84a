import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Form from '@cloudscape-design/components/form';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Textarea from '@cloudscape-design/components/textarea';
import { useState } from 'react';
import { describeError } from '../../notifications.js';
import { ContextEditor } from './context-editor.js';
import { type ContextPair, contextErrors, contextOf, isValidContext } from './context-pairs.js';
import { decryptToken } from './crypto-requests.js';
import { useAttempt } from './use-attempt.js';

type Opened = Awaited<ReturnType<typeof decryptToken>>;

/** Decrypt needs no key id: the token names its key and version. */
export function DecryptForm() {
  const [token, setToken] = useState('');
  const [pairs, setPairs] = useState<ContextPair[]>([]);
  const [submitted, setSubmitted] = useState(false);
  const [attempt, run] = useAttempt<Opened>();
  const tokenError = token.trim() === '' ? 'Paste a ciphertext token.' : undefined;
  const decrypt = () => {
    setSubmitted(true);
    if (!tokenError && isValidContext(contextErrors(pairs))) void run(() => decryptToken(token.trim(), contextOf(pairs)));
  };
  return (
    <Form
      header={<Header variant="h3">Decrypt</Header>}
      actions={
        <Button onClick={decrypt} loading={attempt.state === 'pending'}>
          Decrypt
        </Button>
      }
    >
      <SpaceBetween size="m">
        <FormField label="Ciphertext to decrypt" description="A token (ev2.…) from encrypt." errorText={submitted ? tokenError : undefined}>
          <Textarea value={token} onChange={(event) => setToken(event.detail.value)} rows={3} spellcheck={false} />
        </FormField>
        <ContextEditor label="Decryption context" description="The encryption context the token was sealed with." pairs={pairs} onChange={setPairs} />
        {attempt.state === 'done' ? <OpenedText opened={attempt.result} /> : null}
        {attempt.state === 'failed' ? (
          <Alert type="error" header="Decrypt refused">
            {describeError(attempt.error)}
          </Alert>
        ) : null}
      </SpaceBetween>
    </Form>
  );
}

function OpenedText({ opened }: { opened: Opened }) {
  return (
    <Alert type="success" header={`Decrypted (version ${opened.keyVersion})`}>
      {'text' in opened.decoded ? <Box variant="code">{opened.decoded.text}</Box> : `${opened.decoded.binaryBytes} bytes that are not UTF-8 text.`}
    </Alert>
  );
}
