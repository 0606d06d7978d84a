/**
 * How API Gateway fills a gateway response's body mapping template. Such a template is not run by
 * VTL: API Gateway only substitutes `$context.…` variables, as plain text ("x-amazon-apigateway-
 * gateway-responses.responseTemplates object", API Gateway developer guide). Only
 * `$context.error.messageString` arrives quoted ("the quoted value of $context.error.message",
 * "$context variables for data models, authorizers, mapping templates, and CloudWatch access
 * logging"); every other variable is inserted as it is, so a template that wraps one in quotes
 * breaks as soon as the value holds a quote. The local gateway renders the synthesized templates
 * with this function, and a cdk-nag rule renders them with hostile values.
 */

/** The `$context.error.*` values one gateway response is rendered with. */
export interface GatewayErrorContext {
  /** `$context.error.message`: API Gateway's own wording of what went wrong. */
  readonly message: string;
  /** `$context.error.responseType`: the gateway response type, such as `ACCESS_DENIED`. */
  readonly responseType: string;
  /** `$context.error.validationErrorString`: the request validator's detail (validation failures only). */
  readonly validationErrorString?: string;
}

/** The variables API Gateway substitutes, longest name first so that a prefix never matches early. */
const VARIABLES: readonly [string, (context: GatewayErrorContext) => string][] = [
  ['$context.error.validationErrorString', (c) => c.validationErrorString ?? ''],
  ['$context.error.messageString', (c) => JSON.stringify(c.message)],
  ['$context.error.responseType', (c) => c.responseType],
  ['$context.error.message', (c) => c.message],
];

/** The body API Gateway sends for a gateway response template and the error it answers. */
export function renderGatewayResponseTemplate(template: string, context: GatewayErrorContext): string {
  let body = '';
  for (let rest = template; rest.length > 0; ) {
    const variable = VARIABLES.find(([name]) => rest.startsWith(name));
    if (variable) {
      body += variable[1](context);
      rest = rest.slice(variable[0].length);
    } else {
      body += rest[0];
      rest = rest.slice(1);
    }
  }
  return body;
}

/**
 * A template body in the API's `{"error": {code, message}}` shape: a fixed message is written as a
 * JSON string, API Gateway's own message through the one variable that arrives quoted.
 */
export function errorBodyTemplate(code: string, message: string | 'apiGatewayMessage'): string {
  const value = message === 'apiGatewayMessage' ? '$context.error.messageString' : JSON.stringify(message);
  return `{"error":{"code":${JSON.stringify(code)},"message":${value}}}`;
}
