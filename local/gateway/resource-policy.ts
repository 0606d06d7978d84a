import type { ApiAuthorizationTarget, LocalAccessControl } from '../iam/access-control.js';
import type { LocalIdentity } from '../iam/local-identities.js';
import type { AccessDecision, PolicyDocument } from '../iam/policy-evaluator.js';
import type { InvokeAuthorizer } from './server.js';

/**
 * Authorizes `execute-api:Invoke` on the API's methods with the local IAM, as API Gateway does:
 * where API Gateway differs from IAM's evaluation
 * (local/iam/policy-evaluator.ts, with @cloud-copilot/iam-simulate), it applies API Gateway's rules.
 *
 * A method with AWS_IAM authorization: the caller's identity policies and the resource policy are
 * evaluated together, IAM's way ("How API Gateway resource policies affect authorization
 * workflow", IAM authentication and resource policy, Tables A and B): in the API's account,
 * either may allow, and nothing may deny; from another account, both must allow. A
 * resource-policy statement naming the account root delegates to the account's identity
 * policies, and one naming the caller itself is enough on its own. iam-simulate evaluates exactly
 * that for a signed caller.
 *
 * A method with NONE authorization: API Gateway authenticates nobody, so the caller is anonymous
 * whatever it signed, and only the resource policy counts: "Evaluation of the policy involves
 * seeking an explicit allow based on the inbound criteria of the caller. An implicit denial or any
 * explicit denial results in denying the caller" (same page, API Gateway resource policy only).
 * There API Gateway departs from IAM: "If the Principal is set to "AWS", authorization will fail
 * for all resources not secured with AWS_IAM authorization, including unsecured resources"
 * ("Create and attach an API Gateway resource policy to an API"), so only a `"Principal": "*"`
 * statement can allow such a method, while iam-simulate matches `{"AWS": "*"}` to an anonymous
 * caller as it does `"*"`. Allow statements naming an `AWS` principal are therefore dropped for
 * these methods; deny statements are kept (one naming `{"AWS": "*"}` still denies: authorization
 * fails either way).
 */
export function apiGatewayAuthorization(access: LocalAccessControl, api: ApiAuthorizationTarget): InvokeAuthorizer<LocalIdentity> {
  const unauthenticated: ApiAuthorizationTarget = { ...api, resourcePolicy: policyForUnauthenticatedMethods(api.resourcePolicy) };
  return ({ caller, method, path, authorizationType }) =>
    authorizationType === 'AWS_IAM'
      ? access.invoke(api, caller, method, path)
      : // Nobody is authenticated on a method without authorization, whoever signed the request.
        noStatements(unauthenticated.resourcePolicy)
        ? Promise.resolve(implicitDenial(api, method, path))
        : access.invoke(unauthenticated, undefined, method, path);
}

type Statement = { readonly Effect?: unknown; readonly Principal?: unknown };

/** The resource policy as it applies to a method without authorization: no allow statement with an `AWS` principal. */
export function policyForUnauthenticatedMethods(policy: PolicyDocument): PolicyDocument {
  const statements = [policy.Statement].flat() as Statement[];
  return { ...policy, Statement: statements.filter((statement) => !(statement.Effect === 'Allow' && namesAwsPrincipal(statement))) };
}

function namesAwsPrincipal(statement: Statement): boolean {
  return typeof statement.Principal === 'object' && statement.Principal !== null && 'AWS' in statement.Principal;
}

function noStatements(policy: PolicyDocument): boolean {
  return [policy.Statement].flat().length === 0;
}

/** The denial IAM words for an anonymous caller that no statement allows. */
function implicitDenial(api: ApiAuthorizationTarget, method: string, path: string): AccessDecision {
  const resource = `${api.apiArn}/${api.stageName}/${method}${path}`;
  return {
    allowed: false,
    message: `User: anonymous is not authorized to perform: execute-api:Invoke on resource: ${resource} because no resource-based policy allows the execute-api:Invoke action`,
  };
}
