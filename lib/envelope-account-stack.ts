import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ApiGatewayCloudWatchRole } from './constructs/api-gateway-cloudwatch-role.js';

/**
 * What the service needs of the account and region, apart from any stage: API Gateway's CloudWatch
 * role. One stack per account and region, shared by every stage there; deployed only when the app
 * is told to create the role (`-c apiGatewayCloudWatchRole=create`, the default).
 */
export class EnvelopeAccountStack extends Stack {
  readonly apiGatewayCloudWatchRole: ApiGatewayCloudWatchRole;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    this.apiGatewayCloudWatchRole = new ApiGatewayCloudWatchRole(this, 'ApiGatewayCloudWatchRole');
    new CfnOutput(this, 'ApiGatewayCloudWatchRoleArn', {
      value: this.apiGatewayCloudWatchRole.role.roleArn,
      description: "The role API Gateway logs with, in this region's account settings",
    });
  }
}
