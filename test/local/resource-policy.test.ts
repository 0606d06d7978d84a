import { describe, expect, it } from 'vitest';
import { apiGatewayAuthorization } from '../../local/gateway/resource-policy.js';
import type { AuthorizationType } from '../../local/gateway/deployed-api.js';
import { LocalAccessControl } from '../../local/iam/access-control.js';
import type { LocalIdentity } from '../../local/iam/local-identities.js';
import type { PolicyDocument } from '../../local/iam/policy-evaluator.js';

/**
 * `execute-api:Invoke` as API Gateway decides it, case by case: the policy evaluation outcome
 * tables of "How API Gateway resource policies affect authorization workflow" for AWS_IAM methods
 * (Table A: the caller in the API's account; Table B: in another), and the resource policy alone
 * for methods without authorization, where only a `"Principal": "*"` statement can allow ("Create
 * and attach an API Gateway resource policy to an API": with an "AWS" principal, "authorization
 * will fail for all resources not secured with AWS_IAM authorization, including unsecured
 * resources").
 */
const API_ACCOUNT = '111122223333';
const OTHER_ACCOUNT = '444455556666';
const API_ARN = `arn:aws:execute-api:us-east-1:${API_ACCOUNT}:abcdef1234`;
const STAGE = 'prod';
const METHOD_ARN = `${API_ARN}/${STAGE}/GET/v1/things`;

type IdentityPolicy = 'allow' | 'none' | 'deny';

function identity(account: string, name: string, policy: IdentityPolicy): LocalIdentity {
  const arn = `arn:aws:iam::${account}:user/${name}`;
  const statement = { Effect: policy === 'deny' ? 'Deny' : 'Allow', Action: 'execute-api:Invoke', Resource: `${API_ARN}/*` };
  return {
    name,
    arn,
    principalArn: arn,
    accessKeyId: `AKIA${name.toUpperCase().padEnd(16, '0')}`,
    secretAccessKey: `${name}-secret-${name}-secret`,
    policies: policy === 'none' ? [] : [{ name: `${name}-invoke`, document: { Version: '2012-10-17', Statement: [statement] } }],
  };
}

/** A resource policy of these statements, each on every method of the stage unless it says otherwise. */
function policy(...statements: { Effect: 'Allow' | 'Deny'; Principal: unknown; Resource?: string }[]): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: statements.map((statement) => ({ Action: 'execute-api:Invoke', Resource: `${API_ARN}/${STAGE}/*`, ...statement })),
  };
}

const root = (account: string) => ({ AWS: `arn:aws:iam::${account}:root` });
const user = (account: string, name: string) => ({ AWS: `arn:aws:iam::${account}:user/${name}` });
/** A statement that allows somebody else: for the caller, the policy neither allows nor denies. */
const silent = { Effect: 'Allow' as const, Principal: user(API_ACCOUNT, 'somebody-else') };

async function decide(resourcePolicy: PolicyDocument, caller: LocalIdentity | undefined, authorizationType: AuthorizationType = 'AWS_IAM') {
  const access = new LocalAccessControl('us-east-1');
  if (caller) access.register(caller);
  const authorize = apiGatewayAuthorization(access, { apiArn: API_ARN, stageName: STAGE, resourcePolicy });
  return authorize({ caller, method: 'GET', path: '/v1/things', authorizationType });
}

describe('AWS_IAM methods, Table A: the caller is in the API account', () => {
  it.each([
    ['allow', 'neither (another principal)', policy(silent), true],
    ['none', 'allow, naming the caller', policy({ Effect: 'Allow', Principal: user(API_ACCOUNT, 'alice') }), true],
    ['none', 'allow, naming {"AWS": "*"}', policy({ Effect: 'Allow', Principal: { AWS: '*' } }), true],
    // An account-root principal delegates to the account's identity policies: it allows nobody on its own.
    ['none', 'allow, naming the account root', policy({ Effect: 'Allow', Principal: root(API_ACCOUNT) }), false],
    ['allow', 'allow, naming the account root', policy({ Effect: 'Allow', Principal: root(API_ACCOUNT) }), true],
    ['none', 'neither', policy(silent), false],
    ['allow', 'deny', policy({ Effect: 'Allow', Principal: root(API_ACCOUNT) }, { Effect: 'Deny', Principal: '*' }), false],
    ['deny', 'allow, naming the caller', policy({ Effect: 'Allow', Principal: user(API_ACCOUNT, 'alice') }), false],
    ['deny', 'neither', policy(silent), false],
  ] as const)('identity policy %s, resource policy %s: allowed %s', async (identityPolicy, _, resourcePolicy, allowed) => {
    const decision = await decide(resourcePolicy, identity(API_ACCOUNT, 'alice', identityPolicy));
    expect(decision.allowed).toBe(allowed);
  });

  it('words an explicit denial as AWS does, naming the caller and the method ARN', async () => {
    const decision = await decide(policy({ Effect: 'Deny', Principal: '*' }), identity(API_ACCOUNT, 'alice', 'allow'));
    expect(decision).toEqual({
      allowed: false,
      message: `User: arn:aws:iam::${API_ACCOUNT}:user/alice is not authorized to perform: execute-api:Invoke on resource: ${METHOD_ARN} with an explicit deny in a policy`,
    });
  });
});

describe('AWS_IAM methods, Table B: the caller is in another account', () => {
  it.each([
    ['allow', 'allow, naming the caller', policy({ Effect: 'Allow', Principal: user(OTHER_ACCOUNT, 'bob') }), true],
    ['allow', "allow, naming the caller's account root", policy({ Effect: 'Allow', Principal: root(OTHER_ACCOUNT) }), true],
    ['allow', 'neither (only the API account is named)', policy({ Effect: 'Allow', Principal: root(API_ACCOUNT) }), false],
    ['none', 'allow, naming the caller', policy({ Effect: 'Allow', Principal: user(OTHER_ACCOUNT, 'bob') }), false],
    ['none', 'neither', policy(silent), false],
    ['allow', 'deny', policy({ Effect: 'Allow', Principal: user(OTHER_ACCOUNT, 'bob') }, { Effect: 'Deny', Principal: '*' }), false],
    ['deny', 'allow, naming the caller', policy({ Effect: 'Allow', Principal: user(OTHER_ACCOUNT, 'bob') }), false],
  ] as const)('identity policy %s, resource policy %s: allowed %s', async (identityPolicy, _, resourcePolicy, allowed) => {
    const decision = await decide(resourcePolicy, identity(OTHER_ACCOUNT, 'bob', identityPolicy));
    expect(decision.allowed).toBe(allowed);
  });
});

describe('methods without authorization: the resource policy alone, for an anonymous caller', () => {
  it('lets anybody in on an explicit "Principal": "*" allow', async () => {
    expect(await decide(policy({ Effect: 'Allow', Principal: '*' }), undefined, 'NONE')).toEqual({ allowed: true });
  });

  it('lets nobody in on {"AWS": "*"}: an AWS principal never authorizes a method not secured with AWS_IAM', async () => {
    const decision = await decide(policy({ Effect: 'Allow', Principal: { AWS: '*' } }), undefined, 'NONE');
    expect(decision).toEqual({
      allowed: false,
      message: `User: anonymous is not authorized to perform: execute-api:Invoke on resource: ${METHOD_ARN} because no resource-based policy allows the execute-api:Invoke action`,
    });
  });

  it('denies by default: no statement for the method is an implicit deny', async () => {
    const onAnotherMethod = policy({ Effect: 'Allow', Principal: '*', Resource: `${API_ARN}/${STAGE}/GET/v1/other` });
    expect((await decide(onAnotherMethod, undefined, 'NONE')).allowed).toBe(false);
    expect((await decide(policy(), undefined, 'NONE')).allowed).toBe(false);
  });

  it('denies on any explicit deny, even beside a "*" allow', async () => {
    expect((await decide(policy({ Effect: 'Allow', Principal: '*' }, { Effect: 'Deny', Principal: '*' }), undefined, 'NONE')).allowed).toBe(false);
    expect((await decide(policy({ Effect: 'Allow', Principal: '*' }, { Effect: 'Deny', Principal: { AWS: '*' } }), undefined, 'NONE')).allowed).toBe(
      false,
    );
  });

  it('authenticates nobody: a caller whose identity policy allows it is still anonymous there', async () => {
    const caller = identity(API_ACCOUNT, 'alice', 'allow');
    const decision = await decide(policy({ Effect: 'Allow', Principal: user(API_ACCOUNT, 'alice') }), caller, 'NONE');
    expect(decision).toMatchObject({ allowed: false, message: expect.stringMatching(/^User: anonymous is not authorized/) });
    expect((await decide(policy({ Effect: 'Allow', Principal: root(API_ACCOUNT) }), caller, 'NONE')).allowed).toBe(false);
  });
});
