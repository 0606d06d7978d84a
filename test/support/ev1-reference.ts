import { createCipheriv, randomBytes } from 'node:crypto';
import { encodeContext, type EncryptionContext } from '../../lambdas/domain/encryption-context.js';

/**
 * An independent ev1 sealer, written from the ev1 layout (the service only reads ev1 now):
 * `ev1.` base64url(keyId 16 | version u32 BE | iv 12 | ciphertext | tag 16), AES-256-GCM under the
 * data key itself, with the prefix, key id, version and encoded context as additional data.
 */
export function sealEv1(dataKey: Uint8Array, keyId: string, keyVersion: number, plaintext: Uint8Array, context?: EncryptionContext): string {
  const header = Buffer.alloc(20);
  Buffer.from(keyId.replaceAll('-', ''), 'hex').copy(header);
  header.writeUInt32BE(keyVersion, 16);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', dataKey, iv);
  cipher.setAAD(Buffer.concat([Buffer.from('ev1.', 'ascii'), header, encodeContext(context)]));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return `ev1.${Buffer.concat([header, iv, ciphertext, cipher.getAuthTag()]).toString('base64url')}`;
}
