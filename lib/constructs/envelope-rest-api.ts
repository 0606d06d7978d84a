import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Validations } from 'aws-cdk-lib';
import { retainedLogGroup } from './retained-log-group.js';
import { Construct } from 'constructs';
import type { ApiFunctionName, ApiRoute } from '../../lambdas/routes.js';

export interface EnvelopeRestApiProps {
  readonly restApiName: string;
  readonly stageName: string;
  readonly routes: readonly ApiRoute[];
  readonly handlers: Readonly<Record<ApiFunctionName, lambda.IFunction>>;
  readonly throttlingRateLimit: number;
  readonly throttlingBurstLimit: number;
  readonly logRetentionInDays: number;
  /** Principals allowed to invoke the API from any account (still subject to IAM auth). */
  readonly callers: iam.IPrincipal;
}

/**
 * The REST API: every route of the shared route table, AWS_IAM (SigV4) auth on all but the health
 * check, request validation, stage throttling, JSON access logs and X-Ray tracing.
 */
export class EnvelopeRestApi extends Construct {
  readonly api: apigateway.RestApi;
  readonly accessLogs: logs.LogGroup;

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
      policy: new iam.PolicyDocument({
        statements: [new iam.PolicyStatement({
          principals: [props.callers],
          actions: ['execute-api:Invoke'],
          resources: ['execute-api:/*'],
        })],
      }),
    });
    const validator = this.api.addRequestValidator('Validator', { validateRequestBody: true, validateRequestParameters: true });
    const integrations = new Map<ApiFunctionName, apigateway.LambdaIntegration>();
    for (const route of props.routes) {
      const integration = integrations.get(route.function) ?? new apigateway.LambdaIntegration(props.handlers[route.function]);
      integrations.set(route.function, integration);
      const method = this.api.root.resourceForPath(route.resource).addMethod(route.method, integration, {
        authorizationType: route.iamAuth ? apigateway.AuthorizationType.IAM : apigateway.AuthorizationType.NONE,
        requestValidator: validator,
      });
      if (!route.iamAuth) {
        Validations.of(method).acknowledge({ id: 'AwsSolutions-APIG4', reason: 'The health check is deliberately public: it touches no dependency and returns no data.' });
        Validations.of(method).acknowledge({ id: 'AwsSolutions-COG4', reason: 'The health check is deliberately public: it touches no dependency and returns no data.' });
      }
    }
  }

  /** A statement allowing `execute-api:Invoke` on exactly the methods of the given routes. */
  invokeStatement(routes: readonly ApiRoute[]): iam.PolicyStatement {
    return new iam.PolicyStatement({
      actions: ['execute-api:Invoke'],
      resources: routes.map((route) => this.api.arnForExecuteApi(route.method, route.resource, this.api.deploymentStage.stageName)),
    });
  }
}
