import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { type Command, InvalidArgumentError } from 'commander';
import type { EncryptionContext } from '../../../../contract/index.js';
import { EnvelopeClient } from '../client.js';
import { packageVersion } from '../version.js';

export type OutputFormat = 'json' | 'table';

/** The program's own options, valid before or after the command. */
export interface GlobalOptions {
  readonly endpoint?: string;
  readonly region?: string;
  readonly output: OutputFormat;
  readonly quiet: boolean;
}

export function globalOptions(command: Command): GlobalOptions {
  const { endpoint, region, output, quiet } = command.optsWithGlobals<{
    endpoint?: string;
    region?: string;
    output?: OutputFormat;
    quiet?: boolean;
  }>();
  return { endpoint, region, output: output ?? 'table', quiet: quiet === true };
}

/**
 * A client for the API, credentials from the AWS SDK's default provider chain, endpoint and region
 * as the client resolves them. `--profile` stands for AWS_PROFILE, as in the AWS CLI: the chain then
 * reads that profile only, and a failure names it as it names AWS_PROFILE's.
 */
export function clientFor(command: Command): EnvelopeClient {
  const { endpoint, region } = globalOptions(command);
  const { profile } = command.optsWithGlobals<{ profile?: string }>();
  if (profile !== undefined) process.env.AWS_PROFILE = profile;
  return new EnvelopeClient({
    endpoint,
    region,
    credentials: defaultProvider({ logger: ONE_LINE_WARNINGS }),
    userAgent: `envelope-cli/${packageVersion()}`,
  });
}

const ignore = () => {};

/**
 * The credential chain's warnings (AWS_PROFILE set beside AWS_ACCESS_KEY_ID, say) on one line of
 * stderr each, as everything else the CLI prints there: the SDK's own span several.
 */
const ONE_LINE_WARNINGS = {
  debug: ignore,
  info: ignore,
  error: ignore,
  warn: (...content: unknown[]) => process.stderr.write(`warning: ${content.join(' ').replace(/\s+/g, ' ').trim()}\n`),
};

/** Commander's collector for a repeatable `--context k=v` (or `--tag k=v`): one object; a key given twice is refused, not overwritten. */
export function collectPair(value: string, previous: Record<string, string> | undefined): Record<string, string> {
  const at = value.indexOf('=');
  if (at <= 0) throw new InvalidArgumentError('Expected key=value.');
  const key = value.slice(0, at);
  if (previous !== undefined && Object.hasOwn(previous, key)) throw new InvalidArgumentError(`The key "${key}" is given twice.`);
  return { ...previous, [key]: value.slice(at + 1) };
}

/** Commander's collector for a repeatable option: a list. */
export const collectList = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

export function positiveInteger(value: string): number {
  if (!/^[0-9]+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('Expected a positive integer.');
  return Number(value);
}

export type ContextOption = { context?: EncryptionContext };
