import { api } from '../../api/client.js';
import type { EncryptionContext, OpenedValue, SealedValue } from '../../api/types.js';
import { base64ToUtf8, type DecodedText, utf8ToBase64 } from './text-codec.js';

/** `POST /v1/encrypt` of a text, sent as the base64 of its UTF-8. */
export const encryptText = (keyId: string, text: string, context: EncryptionContext): Promise<SealedValue> =>
  api<SealedValue>('POST', '/v1/encrypt', { body: { keyId, plaintext: utf8ToBase64(text), context } });

/** `POST /v1/decrypt` of a token, its plaintext decoded as UTF-8 when it is text. */
export async function decryptToken(ciphertext: string, context: EncryptionContext): Promise<OpenedValue & { readonly decoded: DecodedText }> {
  const opened = await api<OpenedValue>('POST', '/v1/decrypt', { body: { ciphertext, context } });
  return { ...opened, decoded: base64ToUtf8(opened.plaintext) };
}
