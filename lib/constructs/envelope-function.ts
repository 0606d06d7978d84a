import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { retainedLogGroup } from './retained-log-group.js';
import { Construct } from 'constructs';
import { fileURLToPath } from 'node:url';

export interface EnvelopeFunctionProps extends Pick<NodejsFunctionProps, 'entry' | 'description' | 'environment'> {
  /**
   * Memory in MB; Lambda gives CPU in proportion.
   * @default 1024
   */
  readonly memorySize?: number;
  /**
   * @default Duration.seconds(10)
   */
  readonly timeout?: Duration;
  /** Name of the execution role, fixed so the master key's policy can name it in advance. */
  readonly roleName: string;
  /** Days to keep the function's logs (a deploy-time parameter). */
  readonly logRetentionInDays: number;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * A handler from `lambdas/` on Node.js 24, arm64, with X-Ray tracing, its own log group and a role
 * of its own that starts with nothing but writing its logs and traces. Bundled locally by esbuild
 * as minified, tree-shaken ESM with source maps, the AWS SDK included.
 */
export class EnvelopeFunction extends Construct implements iam.IGrantable {
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly grantPrincipal: iam.IPrincipal;
  readonly functionName: string;

  constructor(scope: Construct, id: string, props: EnvelopeFunctionProps) {
    super(scope, id);
    this.logGroup = retainedLogGroup(this, 'Logs', props.logRetentionInDays);
    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName,
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${props.roleName}`,
    });
    this.grantPrincipal = this.role;
    this.logGroup.grantWrite(this.role);
    this.function = new NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: 'handler',
      description: props.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 1024,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: lambda.Tracing.ACTIVE,
      role: this.role,
      logGroup: this.logGroup,
      // The bundle is minified: its source maps make stack traces name the sources.
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      projectRoot: ROOT,
      depsLockFilePath: `${ROOT}package-lock.json`,
      bundling: {
        format: OutputFormat.ESM,
        target: 'node24',
        minify: true,
        // Bundled and tree-shaken rather than left to the runtime's copy, whose whole clients and
        // core packages a cold start loaded file by file: that was half of a function's init.
        bundleAwsSDK: true,
        sourceMap: true,
        // Stack traces need the mappings, not the sources: Node parses the whole map at init.
        sourcesContent: false,
        forceDockerBundling: false,
        logLevel: LogLevel.ERROR,
        mainFields: ['module', 'main'],
        banner: "import { createRequire } from 'module';const require = createRequire(import.meta.url);",
        esbuildArgs: {
          // Lambda gives credentials in the environment: bundle only the environment provider.
          '--alias:@aws-sdk/credential-provider-node': `${ROOT}lambdas/lambda-credentials.ts`,
          '--alias:node:http': `${ROOT}lambdas/node-http.cjs`,
        },
      },
    });
    this.functionName = this.function.functionName;
  }
}
