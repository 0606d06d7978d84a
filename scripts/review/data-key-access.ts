/** How a data key's own policy and grants decide who uses it, in words made from the contract, so the paragraph follows any change to it. */
import { API_ROUTES, type ApiRoute, GRANT_LIMITS, GRANT_OPERATIONS, MAX_POLICY_PRINCIPALS } from '../../contract/index.js';

const code = (text: string) => `\`${text}\``;
const routes = API_ROUTES as readonly ApiRoute[];
const named = (predicate: (route: ApiRoute) => boolean) =>
  routes
    .filter(predicate)
    .map((route) => code(`${route.method} ${route.resource}`))
    .join(', ');
const byOperation = (operationId: string) => named((route) => route.operationId === operationId);

export function dataKeyAccessParagraph(): string {
  return [
    'Data keys are not IAM resources: each has a policy of its own (`admins` and `users`, at most',
    `${MAX_POLICY_PRINCIPALS} of each) and grants, kept in its record in the data-key table and enforced by the`,
    'functions once IAM has let the request through. So a caller needs both: a caller policy for the route (the',
    "REST API table below), then a place in the key's own policy or an active grant. A key's users may use it",
    `(${named((route) => route.audience === 'dataUsers' && route.operationId !== 'retireGrant')}); its admins manage it`,
    `(${named((route) => route.audience === 'keyManagers' && route.resource.includes('{key}'))}).`,
    'Anybody else uses it only under an active grant, which names one principal (a role, not a session), a subset of',
    `the operations ${GRANT_OPERATIONS.map(code).join(', ')}, optionally a context each request must equal or contain`,
    `(\`contextEquals\`, \`contextSubset\`), and an expiry at most ${GRANT_LIMITS.maxLifetimeDays} days ahead; a key carries at most`,
    `${GRANT_LIMITS.maxActiveGrantsPerKey} active grants. Its admins revoke a grant (${byOperation('revokeGrant')}), its grantee retires it`,
    `(${byOperation('retireGrant')}). Whatever a data key's policy says, only the functions' roles reach the master key, as the tables show.`,
  ].join(' ');
}
