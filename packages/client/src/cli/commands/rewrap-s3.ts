import { type Command, InvalidArgumentError } from 'commander';
import type { EncryptionContext } from '../../../../../contract/index.js';
import type { ObjectOutcome, RewrapS3PrefixReport } from '../../rewrap-s3-prefix.js';
import { failureOf, SomeFailed, UsageError } from '../errors.js';
import { clientFor, collectPair, globalOptions } from '../globals.js';
import { untilInterrupted } from '../interrupts.js';
import { s3Client } from '../locations.js';
import { formatBytes, inform, print } from '../output.js';
import { progressBar } from '../progress.js';

interface RewrapS3CommandOptions {
  readonly context?: EncryptionContext;
  readonly checkpoint?: string;
  readonly concurrency: number;
}

/** `envelope rewrap-s3 s3://bucket/prefix`: every object under a prefix moved to its key's current version. */
export function addRewrapS3Command(program: Command): void {
  program
    .command('rewrap-s3')
    .description("rewrap every encrypted object under an S3 prefix to its key's current version, each body copied by S3 itself")
    .argument('<prefix>', 's3://bucket/prefix (s3://bucket/ for the whole bucket)')
    .option('--checkpoint <file>', 'record each object done in this file, and skip those it records: run again with it to resume')
    .option('--concurrency <n>', 'objects rewrapped at once, 1 to 64', concurrencyOf, 4)
    .option('-c, --context <key=value>', 'refuse objects whose encryption context is not exactly these pairs (repeatable)', collectPair)
    .addHelpText(
      'after',
      '\nExample:\n' +
        '  $ envelope rewrap-s3 --checkpoint backups.rewrap s3://backups/2026/\n' +
        "\nObjects that fail are listed and the others go on; the exit code is then the first failure's.\n" +
        'Run again with the same --checkpoint to retry them without redoing the rest.',
    )
    .action(async (prefixText: string, options: RewrapS3CommandOptions, command: Command) => {
      const global = globalOptions(command);
      const target = parsePrefix(prefixText);
      const client = clientFor(command);
      const s3 = await s3Client(global);
      const progress = progressBar(global, undefined, process.stderr, (count) => `${count} objects`);
      const onObject = (outcome: ObjectOutcome, done: number, total: number) => {
        if (outcome.outcome === 'failed') {
          progress.stop();
          const { code, message } = failureOf(outcome.error);
          inform(global, `failed s3://${target.bucket}/${outcome.key}: ${code}: ${message}`);
        }
        progress.onProgress?.(done, total);
      };
      let report: RewrapS3PrefixReport;
      try {
        report = await untilInterrupted((signal) =>
          client.rewrapS3Prefix(s3, target, {
            expectedContext: options.context,
            checkpoint: options.checkpoint,
            concurrency: options.concurrency,
            onObject,
            signal,
          }),
        );
      } finally {
        progress.stop();
        s3.destroy();
      }
      const failed = report.failed.map(({ key, error }) => ({ key, ...failureOf(error) }));
      if (global.output === 'json')
        await print(global, { prefix: prefixText, ...report, failed: failed.map(({ key, code, message }) => ({ key, code, message })) }, () => '');
      else inform(global, summary(prefixText, report));
      if (failed.length > 0)
        throw new SomeFailed(failed[0]!.exitCode, `${failed.length} of ${report.objects} objects could not be rewrapped (listed above).`);
    });
}

function parsePrefix(text: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([^/]+)\/(.*)$/.exec(text);
  if (!match) throw new UsageError(`Expected s3://bucket/prefix, got "${text}".`);
  return { bucket: match[1]!, prefix: match[2]! };
}

function concurrencyOf(value: string): number {
  const number = Number(value);
  if (!/^[0-9]+$/.test(value) || number < 1 || number > 64) throw new InvalidArgumentError('Expected an integer from 1 to 64.');
  return number;
}

function summary(prefix: string, { objects, rewrapped, skipped, resumed, failed, bytesTransferred }: RewrapS3PrefixReport): string {
  const parts = [`${rewrapped} rewrapped`, `${skipped} already current`];
  if (resumed > 0) parts.push(`${resumed} done before (checkpoint)`);
  parts.push(`${failed.length} failed`);
  return `${prefix}: ${objects} objects, ${parts.join(', ')}; ${formatBytes(bytesTransferred)} moved`;
}
