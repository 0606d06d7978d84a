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

/** A client for the API, credentials from the AWS SDK's default provider chain, endpoint and region as the client resolves them. */
export function clientFor(command: Command): EnvelopeClient {
  const { endpoint, region } = globalOptions(command);
  return new EnvelopeClient({ endpoint, region, userAgent: `envelope-cli/${packageVersion()}` });
}

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
