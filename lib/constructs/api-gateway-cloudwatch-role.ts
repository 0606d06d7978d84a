import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { nagRendering } from '../nag-rendering.js';
import { auditLogGroupName } from '../naming.js';

/**
 * The region's API Gateway account setting `cloudWatchRoleArn`, with the role it names. API
 * Gateway needs it before any stage of the account and region can log to CloudWatch, access logs
 * included ("Set up CloudWatch logging for REST APIs in API Gateway"); without it, CloudFormation
 * fails the stage with "CloudWatch Logs role ARN must be set in account settings to enable logging".
 * The setting is one per account and region, shared by every REST API there: both resources are
 * retained, so deleting the stack never takes logging away from another API.
 */
export class ApiGatewayCloudWatchRole extends Construct {
  readonly role: iam.Role;
  readonly account: apigateway.CfnAccount;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const stack = Stack.of(this);
    const logsInRegion = `arn:${stack.partition}:logs:${stack.region}:${stack.account}:*`;
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      description: "API Gateway's role for writing execution and access logs to CloudWatch Logs (account setting cloudWatchRoleArn)",
    });
    // The actions of the AWS managed policy AmazonAPIGatewayPushToCloudWatchLogs, in this account and region only.
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [
          'logs:CreateLogGroup',
          'logs:CreateLogStream',
          'logs:DescribeLogGroups',
          'logs:DescribeLogStreams',
          'logs:PutLogEvents',
          'logs:GetLogEvents',
          'logs:FilterLogEvents',
        ],
        resources: [logsInRegion],
      }),
    );
    // The role is the account's, shared by every API there: the audit trail of every stage of this
    // service is kept out of its reach, so that only the service's functions write (and only
    // operators read) the audit records.
    const auditLogGroups = `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:${auditLogGroupName('*')}`;
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ effect: iam.Effect.DENY, actions: ['logs:*'], resources: [auditLogGroups, `${auditLogGroups}:*`] }),
    );
    this.role.applyRemovalPolicy(RemovalPolicy.RETAIN);
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagRendering(this, logsInRegion)}]`,
      reason: 'API Gateway writes to log groups it names itself (API-Gateway-Execution-Logs_<api>/<stage>) for every API of the account and region.',
    });
    this.account = new apigateway.CfnAccount(this, 'Account', { cloudWatchRoleArn: this.role.roleArn });
    this.account.node.addDependency(this.role);
    this.account.applyRemovalPolicy(RemovalPolicy.RETAIN);
  }
}
