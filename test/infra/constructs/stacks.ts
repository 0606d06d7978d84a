import { App, Stack } from 'aws-cdk-lib';

/** An empty stack to build one construct in, with bundling skipped (asset hashes are not under test). */
export function emptyStack(): Stack {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  return new Stack(app, 'Test', { env: { account: '111122223333', region: 'us-east-1' } });
}
