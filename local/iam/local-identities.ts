import { randomBytes } from 'node:crypto';
import type { ApiFunctionName } from '../../contract/index.js';
import type { LocalPrincipal } from '../gateway/principals.js';
import type { Credentialed } from '../gateway/sigv4-verifier.js';
import type { DeployedPolicies } from './deployed-policies.js';
import type { RequestingPrincipal } from './policy-evaluator.js';

/** Someone who signs requests locally, with the policies IAM would evaluate for them. */
export interface LocalIdentity extends RequestingPrincipal, Credentialed {
  readonly name: string;
}

/** The callers of `local/principals.json`, each with the caller managed policies it lists. */
export function callerIdentities(principals: readonly LocalPrincipal[], deployed: DeployedPolicies): LocalIdentity[] {
  return principals.map((principal) => ({
    name: principal.name,
    arn: principal.arn,
    principalArn: principal.arn,
    accessKeyId: principal.accessKeyId,
    secretAccessKey: principal.secretAccessKey,
    policies: principal.callerPolicies.map((policy) => deployed.callerPolicies[policy]),
  }));
}

/**
 * Each function as Lambda runs it: a session of its execution role (`assumed-role/<role>/<function>`)
 * with that role's policies, under credentials made for this run only.
 */
export function functionIdentities(deployed: DeployedPolicies): Record<ApiFunctionName, LocalIdentity> {
  const entries = Object.entries(deployed.functionRoles).map(([fn, role]) => [
    fn,
    {
      name: role.roleName,
      arn: `${role.roleArn.replace(':iam::', ':sts::').replace(':role/', ':assumed-role/')}/${role.roleName}`,
      principalArn: role.roleArn,
      policies: role.policies,
      ...temporaryCredentials(),
    },
  ]);
  return Object.fromEntries(entries) as Record<ApiFunctionName, LocalIdentity>;
}

/**
 * What CloudFormation deploys as: the CDK bootstrap's execution role, which has administrator
 * access. The local runtime creates the table and the master key (with its synthesized policy) as it.
 */
export function deployerIdentity(account: string): LocalIdentity {
  const roleArn = `arn:aws:iam::${account}:role/cdk-local-cfn-exec-role`;
  return {
    name: 'deployer',
    arn: `arn:aws:sts::${account}:assumed-role/cdk-local-cfn-exec-role/AWSCloudFormation`,
    principalArn: roleArn,
    policies: [{ name: 'AdministratorAccess', document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } }],
    ...temporaryCredentials(),
  };
}

function temporaryCredentials(): Credentialed {
  return {
    accessKeyId: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString('base64'),
    sessionToken: randomBytes(48).toString('base64'),
  };
}
