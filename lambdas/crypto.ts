import { apiHandler } from './http/api-handler.js';
import { decodePlaintext, parseInput } from './http/request.js';
import { jsonResponse } from './http/responses.js';
import { CiphertextBody, EncryptBody } from './http/schemas.js';
import { envelopeEncryption } from './http/services.js';

/** Encrypt, decrypt and rewrap under data keys. */
export const handler = apiHandler({
  'POST /v1/encrypt': async ({ caller, body }) => {
    const input = parseInput(EncryptBody, body, 'body');
    const plaintext = decodePlaintext(input.plaintext);
    try {
      return jsonResponse(200, await envelopeEncryption().encrypt(caller, input.keyId, plaintext, input.context));
    } finally {
      plaintext.fill(0);
    }
  },

  'POST /v1/decrypt': async ({ caller, body }) => {
    const input = parseInput(CiphertextBody, body, 'body');
    const { plaintext, ...result } = await envelopeEncryption().decrypt(caller, input.ciphertext, input.context);
    try {
      return jsonResponse(200, { plaintext: plaintext.toString('base64'), ...result });
    } finally {
      plaintext.fill(0);
    }
  },

  'POST /v1/rewrap': async ({ caller, body }) => {
    const input = parseInput(CiphertextBody, body, 'body');
    return jsonResponse(200, await envelopeEncryption().rewrap(caller, input.ciphertext, input.context));
  },
});
