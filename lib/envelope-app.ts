import type { App, Environment } from 'aws-cdk-lib';
import { EnvelopeApiStack } from './envelope-api-stack.js';
import { EnvelopeKeyStack } from './envelope-key-stack.js';

export interface EnvelopeStacks {
  readonly keyStack: EnvelopeKeyStack;
  readonly apiStack: EnvelopeApiStack;
}

/** Adds one stage of the service to an app: the key stack, and the API stack that uses its key. */
export function addEnvelopeStage(app: App, stage: string, env?: Environment): EnvelopeStacks {
  if (!/^[a-z0-9-]{1,20}$/.test(stage)) throw new Error(`stage must match ^[a-z0-9-]{1,20}$, not ${stage}.`);
  const keyStack = new EnvelopeKeyStack(app, `EnvelopeKey-${stage}`, { stage, env, description: `Envelope API (${stage}): master key` });
  const apiStack = new EnvelopeApiStack(app, `EnvelopeApi-${stage}`, {
    stage,
    env,
    masterKey: keyStack.masterKey,
    description: `Envelope API (${stage}): table, functions and REST API`,
  });
  return { keyStack, apiStack };
}
