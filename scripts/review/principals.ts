/** Who the report asks about: every principal the stacks name or must keep out, each with the identity policies IAM would evaluate for it. */
import type { ApiFunctionName } from '../../contract/index.js';
import { CALLER_POLICIES, type CallerPolicy } from '../../lib/naming.js';
import type { DeployedPolicies } from '../../local/iam/deployed-policies.js';
import { functionIdentities } from '../../local/iam/local-identities.js';
import type { NamedPolicy, RequestingPrincipal } from '../../local/iam/policy-evaluator.js';
import { ACCOUNT, KEY_ADMINISTRATORS, LISTED_CALLERS, OTHER_ACCOUNT, REGION } from './deployment.js';

export type PrincipalGroup =
  | 'function'
  | 'keyAdministrators'
  | 'caller'
  | 'listedCaller'
  | 'otherAccount'
  | 'accountAdministrator'
  | 'serviceRole'
  | 'service'
  | 'anonymous';

export interface ReviewPrincipal {
  readonly id: string;
  readonly label: string;
  readonly group: PrincipalGroup;
  readonly principal: RequestingPrincipal | 'anonymous';
}

/** Everything, as an administrator has it (AdministratorAccess). */
const EVERYTHING: NamedPolicy = {
  name: 'AdministratorAccess',
  document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
};

const signed = (arn: string, policies: readonly NamedPolicy[] = []): RequestingPrincipal => ({ arn, principalArn: arn, policies });
const roleIn = (account: string, name: string) => `arn:aws:iam::${account}:role/${name}`;

/** An AWS service, by its service principal. */
const service = (name: string): RequestingPrincipal => signed(name);

export const FUNCTION_LABELS: Readonly<Record<ApiFunctionName, string>> = {
  keys: 'keys function',
  crypto: 'crypto function',
  masterKey: 'master-key function',
  health: 'health function',
};

/** API Gateway's CloudWatch role (account stack), with the identity policies its template gives it. */
export interface ServiceRole {
  readonly roleName: string;
  readonly policies: readonly NamedPolicy[];
}

export function reviewPrincipals(deployed: DeployedPolicies, apiGatewayRole: ServiceRole | undefined): readonly ReviewPrincipal[] {
  const functions = functionIdentities(deployed);
  return [
    ...(Object.keys(FUNCTION_LABELS) as ApiFunctionName[]).map(
      (fn): ReviewPrincipal => ({
        id: `function:${fn}`,
        label: `${FUNCTION_LABELS[fn]}'s role`,
        group: 'function',
        principal: { arn: functions[fn].arn, principalArn: functions[fn].principalArn, policies: functions[fn].policies },
      }),
    ),
    {
      id: 'key-administrators',
      label: 'key administrators (`KeyAdminPrincipalArns`)',
      group: 'keyAdministrators',
      principal: signed(KEY_ADMINISTRATORS),
    },
    ...(Object.keys(CALLER_POLICIES) as CallerPolicy[]).map(
      (policy): ReviewPrincipal => ({
        id: `caller:${policy}`,
        label: `caller with the ${CALLER_POLICIES[policy]} policy`,
        group: 'caller',
        principal: signed(roleIn(ACCOUNT, `${CALLER_POLICIES[policy]}-caller`), [deployed.callerPolicies[policy]]),
      }),
    ),
    { id: 'caller:none', label: 'caller with no caller policy', group: 'caller', principal: signed(roleIn(ACCOUNT, 'other-caller')) },
    {
      id: 'listed:this-account',
      label: 'principal of this account listed in `callers`, no caller policy',
      group: 'listedCaller',
      principal: signed(LISTED_CALLERS.thisAccount),
    },
    {
      id: 'listed:other-account',
      label: 'principal of another account listed in `callers` (administrator there)',
      group: 'listedCaller',
      principal: signed(LISTED_CALLERS.otherAccount, [EVERYTHING]),
    },
    {
      id: 'unlisted:other-account',
      label: 'principal of another account not listed (administrator there)',
      group: 'otherAccount',
      principal: signed(roleIn(OTHER_ACCOUNT, 'unlisted-caller'), [EVERYTHING]),
    },
    // The root user can do everything in its account, whatever IAM policies say ("AWS account root user", IAM User Guide:
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user.html): an identity policy allowing everything models that.
    {
      id: 'account-root',
      label: "the account's root user",
      group: 'accountAdministrator',
      principal: signed(`arn:aws:iam::${ACCOUNT}:root`, [EVERYTHING]),
    },
    {
      id: 'iam-administrator',
      label: 'an IAM administrator of the account (AdministratorAccess)',
      group: 'accountAdministrator',
      principal: signed(roleIn(ACCOUNT, 'iam-administrator'), [EVERYTHING]),
    },
    ...(apiGatewayRole
      ? [
          {
            id: 'role:api-gateway-cloudwatch',
            label: "API Gateway's CloudWatch role (account stack)",
            group: 'serviceRole' as const,
            principal: signed(roleIn(ACCOUNT, apiGatewayRole.roleName), apiGatewayRole.policies),
          },
        ]
      : []),
    { id: 'service:logs', label: 'CloudWatch Logs (service)', group: 'service', principal: service(`logs.${REGION}.amazonaws.com`) },
    { id: 'service:cloudwatch', label: 'CloudWatch alarms (service)', group: 'service', principal: service('cloudwatch.amazonaws.com') },
    { id: 'service:dynamodb', label: 'DynamoDB (service)', group: 'service', principal: service('dynamodb.amazonaws.com') },
    { id: 'service:secretsmanager', label: 'Secrets Manager (service)', group: 'service', principal: service('secretsmanager.amazonaws.com') },
    { id: 'anonymous', label: 'anybody, unsigned', group: 'anonymous', principal: 'anonymous' },
  ];
}
