import type * as z from 'zod/mini';
import { API_ROUTES, type ApiRoute, type RouteName } from '../../../contract/index.js';
import type { JsonSchema } from './components.js';
import { OPERATIONS } from './operations.js';

/**
 * OpenAPI links: how a value one operation answers feeds the next, so that generated clients and
 * stateful testers can chain create → encrypt → decrypt → rotate → rewrap → grants. A key is
 * answered as `keyId` and named in a path as `{key}` (which also takes `alias/<name>`): the links
 * map one to the other. A `requestBody` link gives the fields it sets; the others are the
 * operation's own (a `plaintext` to encrypt, say).
 */
export interface Link {
  readonly operationId: string;
  readonly description: string;
  readonly parameters?: Readonly<Record<string, string>>;
  readonly requestBody?: Readonly<Record<string, string>>;
}

const KEY_ID = '$response.body#/keyId';

/** Every operation on one key by its `{key}` path parameter, but those that also need a grant id (a grant's own links give both). */
const keyOperations = (API_ROUTES as readonly ApiRoute[]).filter((route) => /\{key\}/.test(route.resource) && !/\{grantId\}/.test(route.resource));

/** The operations whose body (one of its schemas) has `field`. */
const withBodyField = (field: string): string[] =>
  (API_ROUTES as readonly ApiRoute[])
    .filter((route) =>
      OPERATIONS[`${route.method} ${route.resource}` as RouteName].body?.schemas.some((schema) => field in ((schema as z.ZodMiniObject).shape ?? {})),
    )
    .map((route) => route.operationId);

/** The operations that name their key in the body, as `keyId`. */
const KEY_ID_BODY_OPERATIONS = withBodyField('keyId');

/** The operations that take a ciphertext, as `ciphertext`. */
const CIPHERTEXT_OPERATIONS = withBodyField('ciphertext');

const createdKeyLinks = (): Record<string, Link> =>
  Object.fromEntries([
    ...keyOperations.map((route): [string, Link] => [
      route.operationId,
      { operationId: route.operationId, description: `The created key's \`keyId\` as \`{key}\`.`, parameters: { key: KEY_ID } },
    ]),
    ...KEY_ID_BODY_OPERATIONS.map((operationId): [string, Link] => [
      operationId,
      { operationId, description: "The created key's `keyId` as the body's `keyId`.", requestBody: { keyId: KEY_ID } },
    ]),
  ]);

/** A ciphertext answered in `field` (one value, not a batch), to the operations that open it. */
const ciphertextLinks = (field: string): Record<string, Link> =>
  Object.fromEntries(
    CIPHERTEXT_OPERATIONS.map((operationId): [string, Link] => [
      operationId,
      {
        operationId,
        description: `The answered \`${field}\` as the body's \`ciphertext\` (a single value's answer; a batch's items each carry theirs).`,
        requestBody: { ciphertext: `$response.body#/${field}` },
      },
    ]),
  );

const GRANT_LINKS: Record<string, Link> = {
  revokeGrant: {
    operationId: 'revokeGrant',
    description: "The grant's `keyId` as `{key}` and its `grantId`, for the key's admins.",
    parameters: { key: KEY_ID, grantId: '$response.body#/grantId' },
  },
  retireGrant: {
    operationId: 'retireGrant',
    description: 'The `grantId`, for the grantee (the caller that retires a grant is the principal it was made for).',
    parameters: { grantId: '$response.body#/grantId' },
  },
};

/** The links of each operation's success response, by operation id. */
export function operationLinks(): Readonly<Record<string, Record<string, Link>>> {
  return {
    createKey: createdKeyLinks(),
    encrypt: ciphertextLinks('ciphertext'),
    rewrap: ciphertextLinks('ciphertext'),
    generateDataKey: ciphertextLinks('encryptedKey'),
    createGrant: GRANT_LINKS,
  };
}

/** The links as the document writes them (OpenAPI Link Objects). */
export const linksOf = (operationId: string): JsonSchema | undefined => operationLinks()[operationId];
