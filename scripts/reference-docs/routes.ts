/** routes.md: every route, with its auth, the caller policy that allows it, its body and idempotency. */
import { API_ROUTES, type ApiRoute } from '../../contract/index.js';
import { OPENAPI_FILE } from '../../lambdas/http/openapi/document.js';
import { code, type Page, table } from './markdown.js';
import { STAGE, type Synthesized, type SynthesizedStack } from './stacks.js';
import { cfnString, resourcesOf } from './template.js';

interface InvokeStatement {
  readonly Action: string | readonly string[];
  readonly Resource: unknown;
}

/** The caller policies' names, by the routes their `execute-api:Invoke` statements allow (`METHOD /path`, `*` for a parameter). */
function callerPolicies({ template }: SynthesizedStack): Map<string, string[]> {
  const byMethod = new Map<string, string[]>();
  for (const { properties } of resourcesOf(template, 'AWS::IAM::ManagedPolicy')) {
    const name = code(cfnString(properties.ManagedPolicyName));
    const statements = (properties.PolicyDocument as { Statement: InvokeStatement[] }).Statement;
    for (const resource of statements.filter((s) => [s.Action].flat().includes('execute-api:Invoke')).flatMap((s) => [s.Resource].flat())) {
      const [, method, path] = /\/(GET|POST|PUT|DELETE)(\/.*)$/.exec(cfnString(resource)) ?? [];
      if (method) byMethod.set(`${method} ${path}`, [...(byMethod.get(`${method} ${path}`) ?? []), name]);
    }
  }
  return byMethod;
}

/** A route as an `execute-api:Invoke` resource names it: `*` for each path parameter. */
const invokedAs = (route: ApiRoute): string => `${route.method} ${route.resource.replace(/\{\w+\}/g, '*')}`;

export function routesPage({ api }: Synthesized): Page {
  const policies = callerPolicies(api);
  const rows = API_ROUTES.map((route: ApiRoute) => [
    route.method,
    code(route.resource),
    code(route.operationId),
    code(route.function),
    route.iamAuth ? 'SigV4' : 'none',
    route.audience,
    policies.get(invokedAs(route))?.join('<br>') ?? '—',
    route.jsonBody ? 'required' : '',
    route.idempotent ? 'yes' : '',
  ]);
  return {
    file: 'routes.md',
    title: 'Routes',
    sources: '`contract/routes.ts` and the synthesized API stack',
    intro: [
      `Every route of the API. The request and answer bodies are in the OpenAPI document, [${OPENAPI_FILE}](../openapi.json).`,
      '',
      '- **Auth**: `SigV4` routes need a request signed with SigV4 for the service `execute-api` by a caller the policy allows; `none` routes are public.',
      `- **Policy**: the managed policy (stage \`${STAGE}\`) that allows calling the route; attach it to the callers' roles.`,
      '- **JSON body**: API Gateway refuses a request without a JSON object body before any function runs (400 `ValidationError`).',
      '- **Idempotent**: the route takes an `Idempotency-Key` header: a retry with the same key and request gets the first outcome, and the change is made once.',
    ].join('\n'),
    sections: [
      {
        heading: 'Routes',
        text: table(['Method', 'Path', 'Operation', 'Function', 'Auth', 'Audience', 'Policy', 'JSON body', 'Idempotent'], rows),
      },
    ],
  };
}
