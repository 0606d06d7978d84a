import { Stack, type CfnResource } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { NagRuleCompliance } from 'cdk-nag';
import { type GatewayErrorContext, renderGatewayResponseTemplate } from '../../contract/gateway-response-template.js';
import { isRecord, knownPrimitive } from './cfn-values.js';

/** `$context.error` texts a template must survive: each breaks a template that inserts it unquoted or quotes it itself. */
export const HOSTILE_ERROR_TEXTS: readonly string[] = [
  '',
  'Invalid "request"',
  'C:\\path\\ends with a backslash\\',
  'line one\nline two\r\n\tindented',
  '</script><script>alert(1)</script>',
  'clé 🔑 \u2028\u2029 \u0000\u001f',
  '"}',
  '"},"injected":{"x":"',
  '[instance type (array) does not match any allowed primitive type (allowed: ["object"])]',
];

/**
 * Each gateway response's `application/json` template renders valid JSON whatever API Gateway puts
 * in `$context.error.message`, `messageString` and `validationErrorString` (see
 * `renderGatewayResponseTemplate`). A template decided at deploy time cannot be shown to.
 * @param node the CfnResource to check
 */
export default Object.defineProperty(
  (node: CfnResource): NagRuleCompliance => {
    if (!(node instanceof apigateway.CfnGatewayResponse)) return NagRuleCompliance.NOT_APPLICABLE;
    const templates = Stack.of(node).resolve(node.responseTemplates) as unknown;
    const json = isRecord(templates)
      ? Object.entries(templates).find(([contentType]) => contentType.toLowerCase() === 'application/json')
      : undefined;
    if (json === undefined) return NagRuleCompliance.NOT_APPLICABLE;
    const [, template] = json;
    const responseType = knownPrimitive(node, node.responseType);
    const contexts = hostileContexts(typeof responseType === 'string' ? responseType : 'DEFAULT_4XX');
    return typeof template === 'string' && contexts.every((context) => parses(renderGatewayResponseTemplate(template, context)))
      ? NagRuleCompliance.COMPLIANT
      : NagRuleCompliance.NON_COMPLIANT;
  },
  'name',
  { value: 'APIGGatewayResponseRendersJson' },
);

function hostileContexts(responseType: string): GatewayErrorContext[] {
  return HOSTILE_ERROR_TEXTS.map((text) => ({ responseType, message: text, validationErrorString: text }));
}

function parses(body: string): boolean {
  try {
    JSON.parse(body);
    return true;
  } catch {
    return false;
  }
}
