/** errors.md: each error code, the layers that can answer it, and API Gateway's own responses. */
import { API_ROUTES, ERROR_STATUS, GATEWAY_ERRORS, type ApiRoute, type ErrorCode, type GatewayResponseType } from '../../contract/index.js';
import { GATEWAY_ERROR_ROUTES, UNKNOWN_ROUTE_RESPONSE, UNROUTED_REQUEST_RULE } from '../../lambdas/http/openapi/error-responses.js';
import { OPERATIONS } from '../../lambdas/http/openapi/operations.js';
import { anchor, code, type Page, type Section, table } from './markdown.js';

const ERROR_CODES = Object.keys(ERROR_STATUS) as ErrorCode[];
const GATEWAY_RESPONSE_TYPES = Object.keys(GATEWAY_ERRORS) as GatewayResponseType[];

const routeName = (route: ApiRoute): string => `${route.method} ${route.resource}`;

/** Routes by operation id: all of them, none, all but a few, or the few. */
function routesText(routes: readonly ApiRoute[], among: readonly ApiRoute[] = API_ROUTES): string {
  const ids = (some: readonly ApiRoute[]) => some.map((route) => code(route.operationId)).join(', ');
  if (routes.length === among.length) return 'every route';
  if (routes.length === 0) return 'none';
  const others = among.filter((route) => !routes.includes(route));
  return others.length < routes.length ? `every route but ${ids(others)}` : ids(routes);
}

/** The gateway responses that answer `errorCode` on some route, or for an unknown route. */
const gatewayResponsesWith = (errorCode: ErrorCode): GatewayResponseType[] =>
  GATEWAY_RESPONSE_TYPES.filter(
    (type) => GATEWAY_ERRORS[type].code === errorCode && (type === UNKNOWN_ROUTE_RESPONSE || API_ROUTES.some(GATEWAY_ERROR_ROUTES[type])),
  );

/** The routes whose function answers `errorCode`, by function. */
function functionsWith(errorCode: ErrorCode): string {
  const functions = [...new Set(API_ROUTES.map((route) => route.function))];
  return functions
    .map((fn) => {
      const served: ApiRoute[] = API_ROUTES.filter((route) => route.function === fn);
      const answering = served.filter((route) => OPERATIONS[routeName(route) as keyof typeof OPERATIONS].errors.includes(errorCode));
      return answering.length === 0 ? '' : `${code(fn)}: ${routesText(answering, served)}`;
    })
    .filter((text) => text !== '')
    .join('<br>');
}

const orNone = (text: string): string => (text === '' ? '—' : text);

function errorCodesSection(): Section {
  const rows = ERROR_CODES.map((errorCode) => [
    code(errorCode),
    String(ERROR_STATUS[errorCode]),
    orNone(gatewayResponsesWith(errorCode).map(code).join(', ')),
    orNone(functionsWith(errorCode)),
  ]);
  const unanswered = ERROR_CODES.filter((errorCode) => gatewayResponsesWith(errorCode).length === 0 && functionsWith(errorCode) === '');
  return {
    heading: 'Error codes',
    text: [
      'Each code with its status, and which layer can answer it to a request sent through API Gateway: API Gateway itself (its gateway responses, below), or the function serving the route.',
      table(['Code', 'Status', 'API Gateway', 'Functions'], rows),
      `An unsigned request, or one for a resource or method the API does not have: see [${UNROUTED_HEADING}](#${anchor(UNROUTED_HEADING)}).`,
      ...(unanswered.length === 0
        ? []
        : [
            `No request through API Gateway gets ${unanswered.map(code).join(', ')}: it can come only from a function invoked directly, outside API Gateway.`,
          ]),
    ].join('\n\n'),
  };
}

function gatewayResponsesSection(): Section {
  const rows = GATEWAY_RESPONSE_TYPES.map((type) => {
    const { code: errorCode, message, ...rest } = GATEWAY_ERRORS[type] as (typeof GATEWAY_ERRORS)[GatewayResponseType];
    const retryAfter = 'retryAfterSeconds' in rest ? `<br>With ${code(`Retry-After: ${rest.retryAfterSeconds}`)}.` : '';
    const routes = routesText(API_ROUTES.filter(GATEWAY_ERROR_ROUTES[type]));
    return [
      code(type),
      String(ERROR_STATUS[errorCode]),
      code(errorCode),
      `${message === 'apiGatewayMessage' ? "API Gateway's own wording" : message}${retryAfter}`,
      type === UNKNOWN_ROUTE_RESPONSE ? `${routes}; and any resource or method the API does not have` : routes,
    ];
  });
  return {
    heading: "API Gateway's own responses",
    text: [
      "The errors API Gateway answers before any function runs, in the API's error shape, and the routes each can answer.",
      table(['Gateway response', 'Status', 'Code', 'Message', 'Routes'], rows),
    ].join('\n\n'),
  };
}

const UNROUTED_HEADING = 'Unsigned requests and unknown routes';

/** The one statement of what answers a request no route takes, as the OpenAPI document's description says it too. */
const unroutedSection = (): Section => ({
  heading: UNROUTED_HEADING,
  text: `${UNROUTED_REQUEST_RULE} The local gateway answers them the same way. The OpenAPI document (\`docs/openapi.json\`) says the same in its description.`,
});

export const errorsPage = (): Page => ({
  file: 'errors.md',
  title: 'Errors',
  sources: '`contract/errors.ts`, `contract/routes.ts` and the OpenAPI operations (`lambdas/http/openapi/`)',
  intro:
    'Every error answers `{"error": {"code": "…", "message": "…"}}` with the status of its code. Clients should branch on the code, not the status.',
  sections: [errorCodesSection(), unroutedSection(), gatewayResponsesSection()],
});
