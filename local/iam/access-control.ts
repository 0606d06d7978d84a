import type { DynamoDbAccessControl } from '../dynamodb-access-proxy.js';
import type { IncomingSignedRequest } from '../gateway/sigv4-verifier.js';
import { SigV4Verifier } from '../gateway/sigv4-verifier.js';
import type { KmsAccessControl, KmsActionRequest } from '../kms-emulator/server.js';
import type { LocalIdentity } from './local-identities.js';
import { accountOf, PolicyEvaluator, type AccessDecision, type PolicyDocument } from './policy-evaluator.js';

type Authentication = { ok: true; principalArn: string } | { ok: false; type: string; message: string };

/** The API as API Gateway authorizes `execute-api:Invoke` on it. */
export interface ApiAuthorizationTarget {
  readonly apiArn: string;
  readonly stageName: string;
  readonly resourcePolicy: PolicyDocument;
}

/**
 * IAM as the local rehearsal enforces it: who signed a request (SigV4 with the identity's
 * credentials) and whether the policies let them do what they ask, for KMS, DynamoDB and the
 * API's `execute-api:Invoke`.
 */
export class LocalAccessControl {
  private readonly byAccessKey = new Map<string, LocalIdentity>();
  private readonly byArn = new Map<string, LocalIdentity>();

  constructor(
    private readonly region: string,
    private readonly evaluator = new PolicyEvaluator(),
  ) {}

  /** Adds identities; functions join once the stack they come from is resolved. */
  register(...identities: LocalIdentity[]): this {
    for (const identity of identities) {
      if (this.byAccessKey.has(identity.accessKeyId)) throw new Error(`Access key ${identity.accessKeyId} is used twice.`);
      this.byAccessKey.set(identity.accessKeyId, identity);
      this.byArn.set(identity.arn, identity);
    }
    return this;
  }

  /** KMS: identity policies together with the key policy, and the encryption-context condition keys. */
  kms(): KmsAccessControl {
    return {
      authenticate: this.authenticator('kms'),
      authorize: async ({ principalArn, action, key, encryptionContext }: KmsActionRequest) => {
        const identity = this.identity(principalArn);
        return denial(
          await this.evaluator.decide({
            principal: identity,
            action,
            resource: key?.arn ?? '*',
            resourceAccount: key ? accountOf(key.arn) : accountOf(identity.arn),
            ...(key && { resourcePolicy: JSON.parse(key.policy) as PolicyDocument }),
            context: { 'kms:CallerAccount': accountOf(identity.arn), ...(encryptionContext && kmsContextKeys(encryptionContext)) },
          }),
        );
      },
    };
  }

  /** DynamoDB: identity policies only (tables have no resource policy here), with the condition keys the request sets. */
  dynamoDb(): DynamoDbAccessControl {
    return {
      authenticate: this.authenticator('dynamodb'),
      authorize: async ({ principalArn, action, resource, context }) =>
        denial(
          await this.evaluator.decide({
            principal: this.identity(principalArn),
            action,
            resource,
            resourceAccount: accountOf(resource),
            ...(context && {
              context: Object.fromEntries(Object.entries(context).map(([key, value]) => [key, typeof value === 'string' ? value : [...value]])),
            }),
          }),
        ),
    };
  }

  /** `execute-api:Invoke` on the method's ARN, for a signed caller or for nobody (an unsigned request). */
  invoke(api: ApiAuthorizationTarget, caller: LocalIdentity | undefined, method: string, path: string): Promise<AccessDecision> {
    return this.evaluator.decide({
      principal: caller ?? 'anonymous',
      action: 'execute-api:Invoke',
      resource: `${api.apiArn}/${api.stageName}/${method}${path}`,
      resourceAccount: accountOf(api.apiArn),
      resourcePolicy: api.resourcePolicy,
    });
  }

  /** Verifies signatures for one service against every local identity's credentials. */
  verifier(service: string): SigV4Verifier<LocalIdentity> {
    return new SigV4Verifier(this.byAccessKey, this.region, service);
  }

  private authenticator(service: string): (request: IncomingSignedRequest) => Promise<Authentication> {
    const verifier = this.verifier(service);
    return async (request) => {
      const verdict = await verifier.verify(request);
      return verdict.ok ? { ok: true, principalArn: verdict.principal.arn } : { ok: false, type: verdict.error, message: verdict.reason };
    };
  }

  private identity(arn: string): LocalIdentity {
    const identity = this.byArn.get(arn);
    if (!identity) throw new Error(`No local identity ${arn}.`);
    return identity;
  }
}

function denial(decision: AccessDecision): string | undefined {
  return decision.allowed ? undefined : decision.message;
}

/** KMS's condition keys for an encryption context: one per pair, and the list of keys. */
function kmsContextKeys(context: Readonly<Record<string, string>>): Record<string, string | string[]> {
  const keys: Record<string, string | string[]> = { 'kms:EncryptionContextKeys': Object.keys(context) };
  for (const [key, value] of Object.entries(context)) keys[`kms:EncryptionContext:${key}`] = value;
  return keys;
}
