import type { Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { ServiceMetricsProps } from '../../../lib/constructs/service-metrics.js';

export const SERVICE = 'envelope-api-test';

/** What the dashboard and the alarms watch, at their smallest: an API, two functions and a table. */
export function watchedResources(stack: Stack): ServiceMetricsProps {
  const api = new apigateway.RestApi(stack, 'Api', { restApiName: 'watched-api' });
  api.root.addMethod('GET', new apigateway.MockIntegration());
  const fn = (id: string) =>
    new lambda.Function(stack, id, {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({});'),
    });
  const table = new dynamodb.Table(stack, 'Table', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
  return {
    api,
    functions: { keys: fn('Keys'), crypto: fn('Crypto') },
    table,
    tableOperations: [dynamodb.Operation.GET_ITEM, dynamodb.Operation.PUT_ITEM],
    service: SERVICE,
  };
}
