import { type App, type Environment, Tags } from 'aws-cdk-lib';
import type { DeploymentTags } from './deployment-tags.js';
import { EnvelopeApiStack } from './envelope-api-stack.js';
import { EnvelopeKeyStack } from './envelope-key-stack.js';

export interface EnvelopeStacks {
  readonly keyStack: EnvelopeKeyStack;
  readonly apiStack: EnvelopeApiStack;
}

export interface EnvelopeStageOptions {
  /** @default the CLI's environment (environment-agnostic stacks) */
  readonly env?: Environment;
  /**
   * Tags for the master key and every other taggable resource of both stacks (and the stacks).
   * @default no tags
   */
  readonly tags?: DeploymentTags;
}

/** Adds one stage of the service to an app: the key stack, and the API stack that uses its key. */
export function addEnvelopeStage(app: App, stage: string, { env, tags = {} }: EnvelopeStageOptions = {}): EnvelopeStacks {
  if (!/^[a-z0-9-]{1,20}$/.test(stage)) throw new Error(`stage must match ^[a-z0-9-]{1,20}$, not ${stage}.`);
  const keyStack = new EnvelopeKeyStack(app, `EnvelopeKey-${stage}`, { stage, env, description: `Envelope API (${stage}): master key` });
  const apiStack = new EnvelopeApiStack(app, `EnvelopeApi-${stage}`, {
    stage,
    env,
    masterKey: keyStack.masterKey,
    description: `Envelope API (${stage}): table, functions and REST API`,
  });
  for (const stack of [keyStack, apiStack]) {
    for (const [key, value] of Object.entries(tags)) Tags.of(stack).add(key, value);
  }
  return { keyStack, apiStack };
}
