import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Stack, Validations } from 'aws-cdk-lib';
import { retainedLogGroup } from './retained-log-group.js';
import { Construct } from 'constructs';
import { ERROR_STATUS, errorBodyTemplate, GATEWAY_ERRORS, type ApiFunctionName, type ApiRoute } from '../../contract/index.js';

export interface EnvelopeRestApiProps {
  readonly restApiName: string;
  readonly stageName: string;
  readonly routes: readonly ApiRoute[];
  readonly handlers: Readonly<Record<ApiFunctionName, lambda.IFunction>>;
  readonly throttlingRateLimit: number;
  readonly throttlingBurstLimit: number;
  readonly logRetentionInDays: number;
  /**
   * Principals of other accounts that may invoke the API (roles, users or account roots), besides
   * the callers of this account. Fixed at synth time: API Gateway applies a changed resource policy
   * only with a new deployment, which CDK makes when the synthesized API changes, never for a
   * changed parameter value.
   * @default [] (this account's callers only)
   */
  readonly crossAccountCallers?: readonly string[];
}

/**
 * The REST API: every route of the shared route table, AWS_IAM (SigV4) auth on all but the health
 * check, request validation, stage throttling, JSON access logs and X-Ray tracing.
 */
export class EnvelopeRestApi extends Construct {
  readonly api: apigateway.RestApi;
  readonly accessLogs: logs.LogGroup;
  /** The stage's base URL, ending in `/`. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: EnvelopeRestApiProps) {
    super(scope, id);
    this.accessLogs = retainedLogGroup(this, 'AccessLogs', props.logRetentionInDays);
    this.api = new apigateway.RestApi(this, 'Api', {
      restApiName: props.restApiName,
      description: 'Envelope encryption API',
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      cloudWatchRole: false,
      deployOptions: {
        stageName: props.stageName,
        throttlingRateLimit: props.throttlingRateLimit,
        throttlingBurstLimit: props.throttlingBurstLimit,
        tracingEnabled: true,
        accessLogDestination: new apigateway.LogGroupLogDestination(this.accessLogs),
        accessLogFormat: apigateway.AccessLogFormat.jsonWithStandardFields(),
      },
      defaultMethodOptions: { authorizationType: apigateway.AuthorizationType.IAM },
      policy: new iam.PolicyDocument({ statements: this.resourcePolicy(props) }),
    });
    this.url = this.api.url;
    this.addContractErrorResponses();
    const validator = this.api.addRequestValidator('Validator', { validateRequestBody: true, validateRequestParameters: true });
    const jsonObject = this.api.addModel('JsonObject', {
      contentType: 'application/json',
      description: 'Any JSON object; the function validates the fields.',
      schema: { schema: apigateway.JsonSchemaVersion.DRAFT4, type: apigateway.JsonSchemaType.OBJECT },
    });
    const integrations = new Map<ApiFunctionName, apigateway.LambdaIntegration>();
    for (const route of props.routes) {
      const integration = integrations.get(route.function) ?? new apigateway.LambdaIntegration(props.handlers[route.function]);
      integrations.set(route.function, integration);
      const method = this.api.root.resourceForPath(route.resource).addMethod(route.method, integration, {
        authorizationType: route.iamAuth ? apigateway.AuthorizationType.IAM : apigateway.AuthorizationType.NONE,
        requestValidator: validator,
        requestModels: route.jsonBody ? { 'application/json': jsonObject } : undefined,
      });
      if (!route.iamAuth) {
        Validations.of(method).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: 'The health check is deliberately public: it touches no dependency and returns no data.',
        });
        Validations.of(method).acknowledge({
          id: 'AwsSolutions-COG4',
          reason: 'The health check is deliberately public: it touches no dependency and returns no data.',
        });
      }
    }
  }

  /** Errors API Gateway answers itself take the API's `{"error": {code, message}}` shape too. */
  private addContractErrorResponses(): void {
    for (const [type, { code, message, ...rest }] of Object.entries(GATEWAY_ERRORS)) {
      const retryAfter = 'retryAfterSeconds' in rest ? rest.retryAfterSeconds : undefined;
      this.api.addGatewayResponse(`${code}${type}`, {
        type: apigateway.ResponseType.of(type),
        statusCode: String(ERROR_STATUS[code]),
        responseHeaders: retryAfter === undefined ? undefined : { 'Retry-After': `'${retryAfter}'` },
        templates: { 'application/json': errorBodyTemplate(code, message) },
      });
    }
  }

  /** A statement allowing `execute-api:Invoke` on exactly the methods of the given routes. */
  invokeStatement(routes: readonly ApiRoute[]): iam.PolicyStatement {
    return new iam.PolicyStatement({
      actions: ['execute-api:Invoke'],
      resources: routes.map((route) => this.api.arnForExecuteApi(route.method, methodPath(route), this.api.deploymentStage.stageName)),
    });
  }

  /**
   * Who may reach the methods at all, as API Gateway evaluates a resource policy
   * ("How API Gateway resource policies affect authorization workflow"):
   * - this account: its principals still need an identity policy allowing the route (the caller
   *   managed policies), since the statement names the account, not them;
   * - listed principals of other accounts, who need both this statement and their own identity
   *   policy. A listed principal of this account is excluded (`aws:PrincipalAccount`): in the same
   *   account, a resource policy naming a principal is enough on its own, and would bypass the
   *   route-scoped caller policies;
   * - anybody on the unauthenticated routes: for a method without authorization, API Gateway
   *   admits only what the policy explicitly allows, and only a `"Principal": "*"` statement
   *   matches an anonymous caller (`{"AWS": "*"}` fails for every method not secured with AWS_IAM).
   */
  private resourcePolicy(props: EnvelopeRestApiProps): iam.PolicyStatement[] {
    const stack = Stack.of(this);
    const publicRoutes = props.routes.filter((route) => !route.iamAuth);
    const methods = (routes: readonly ApiRoute[]) => routes.map((route) => `execute-api:/${props.stageName}/${route.method}${methodPath(route)}`);
    const crossAccount = props.crossAccountCallers ?? [];
    return [
      new iam.PolicyStatement({
        sid: 'ThisAccount',
        principals: [new iam.AccountRootPrincipal()],
        actions: ['execute-api:Invoke'],
        resources: ['execute-api:/*'],
      }),
      ...(crossAccount.length === 0
        ? []
        : [
            new iam.PolicyStatement({
              sid: 'OtherAccountCallers',
              principals: crossAccount.map((arn) => new iam.ArnPrincipal(arn)),
              actions: ['execute-api:Invoke'],
              resources: ['execute-api:/*'],
              conditions: { StringNotEquals: { 'aws:PrincipalAccount': stack.account } },
            }),
          ]),
      ...(publicRoutes.length === 0
        ? []
        : [
            new iam.PolicyStatement({
              sid: 'PublicRoutes',
              principals: [new iam.StarPrincipal()],
              actions: ['execute-api:Invoke'],
              resources: methods(publicRoutes),
            }),
          ]),
    ];
  }
}

/**
 * The resource path of a method ARN: API Gateway matches the request's actual path, so each path
 * parameter (`{key}`) becomes a wildcard.
 */
function methodPath(route: ApiRoute): string {
  return route.resource.replace(/\{[^}]+\}/g, '*');
}
