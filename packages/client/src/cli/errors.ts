import { constants } from 'node:os';
import { CommanderError } from 'commander';
import { ConfigurationError, EnvelopeApiError, InvalidResponseError, NetworkError } from '../errors.js';
import { FileFormatError } from '../file-format/index.js';

/** 128 + the signal's number, as a shell reports a command killed by it. */
const killedBy = (signal: NodeJS.Signals): number => 128 + constants.signals[signal];

/**
 * The CLI's exit codes, the one table of them: main.ts exits with them, `envelope --help` lists them,
 * and a file command cleans up after each signal named here.
 */
export const EXIT_CODES = {
  // `printed` (Markdown) is for docs/reference/exit-codes.md only, not the help; a signal's line is InterruptedError's.
  Success: { code: 0, meaning: 'success', printed: "nothing (or the file commands' summary line)" },
  ApiError: {
    code: 1,
    meaning: "the API refused or failed the request, could not be reached, or answered something that is not the API's answer",
    printed:
      "`error: <Code>: <message>`, `<Code>` being the API's error code (`AccessDenied`, `KeyNotFound`, `KeyDisabled`, `KeyPendingDeletion`, `InvalidKeyState`, `KeyVersionRetired`, `ValidationError`, `Throttled`, `DependencyUnavailable`, …), `NetworkError`, or `InvalidResponse` (a 2xx answer of the wrong shape: is `--endpoint` the Envelope API?)",
  },
  Usage: {
    code: 2,
    meaning: 'usage or configuration error (unknown command or option, missing argument, malformed --context, no endpoint, region or credentials)',
    printed:
      "commander's `error: …` (an unknown command or option, a missing argument or `--key`, a malformed `--context` or `--tag`, a key given twice), or `error: UsageError: …` (no endpoint or region, or a value commander cannot check, such as an `s3://` location without a key) / `error: NoCredentials: …`",
  },
  InputOutput: {
    code: 3,
    meaning: 'a local file, stdin/stdout or an S3 object or bucket could not be read or written',
    printed:
      "`error: ENOENT: …` (missing), `EACCES` (unreadable), `EISDIR` (a directory), `ENOSPC` (a full disk), `EPIPE` (a closed pipe)…; S3's code (`NoSuchKey`, `NoSuchBucket`, `AccessDenied`…)",
  },
  InvalidData: {
    code: 4,
    meaning: 'invalid data: a tampered, truncated or foreign encrypted file or token, or an unexpected context',
    printed:
      "`error: InvalidCiphertext: …` (the file format's, or the API's for a token, or for one under a destroyed key version), `error: ContextMismatch: …`",
  },
  Hangup: {
    code: killedBy('SIGHUP'),
    signal: 'SIGHUP',
    meaning: 'interrupted by SIGHUP (a closed terminal); a file command leaves no output behind',
  },
  Interrupted: { code: killedBy('SIGINT'), signal: 'SIGINT', meaning: 'interrupted by SIGINT (Ctrl-C); a file command leaves no output behind' },
  Terminated: { code: killedBy('SIGTERM'), signal: 'SIGTERM', meaning: 'stopped by SIGTERM; a file command leaves no output behind' },
} as const satisfies Record<string, { readonly code: number; readonly meaning: string; readonly signal?: NodeJS.Signals; readonly printed?: string }>;

type ExitCodeName = keyof typeof EXIT_CODES;
export type ExitCode = (typeof EXIT_CODES)[ExitCodeName]['code'];
export const ExitCode = Object.fromEntries(Object.entries(EXIT_CODES).map(([name, { code }]) => [name, code])) as {
  readonly [Name in ExitCodeName]: (typeof EXIT_CODES)[Name]['code'];
};

const SIGNAL_EXITS = Object.values(EXIT_CODES).filter((exit) => 'signal' in exit);

/** The signals a file command stops on, and cleans up after. */
export const INTERRUPTING_SIGNALS: readonly NodeJS.Signals[] = SIGNAL_EXITS.map((exit) => exit.signal);

export function interruptedExitCode(signal: string): ExitCode {
  return SIGNAL_EXITS.find((exit) => exit.signal === signal)?.code ?? ExitCode.Interrupted;
}

/** A mistake on the command line that commander cannot see (a malformed `--context`, say). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A file command stopped by SIGINT, SIGTERM or SIGHUP. */
export class InterruptedError extends Error {
  override readonly name = 'InterruptedError';
  constructor(readonly signal: string) {
    super(`Interrupted by ${signal}; no output was left.`);
  }
}

/** What the CLI prints (`error: <code>: <message>`, one line) and exits with. */
export interface Failure {
  readonly exitCode: ExitCode;
  readonly code: string;
  readonly message: string;
}

/**
 * Maps anything thrown to a failure. Messages come from the API, the file format (which names no
 * internals), Node's I/O errors or S3: never a stack, a key or a credential.
 */
/** A command over many objects that went on past failures, each printed: it exits as its first failure would have. */
export class SomeFailed extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
  ) {
    super(message);
    this.name = 'SomeFailed';
  }
}

export function failureOf(error: unknown, env: NodeJS.ProcessEnv = process.env): Failure {
  if (error instanceof CommanderError)
    return { exitCode: error.exitCode === 0 ? ExitCode.Success : ExitCode.Usage, code: error.code, message: error.message };
  if (error instanceof SomeFailed) return { exitCode: error.exitCode, code: 'SomeFailed', message: error.message };
  if (error instanceof InterruptedError) return { exitCode: interruptedExitCode(error.signal), code: 'Interrupted', message: error.message };
  if (error instanceof UsageError || error instanceof ConfigurationError)
    return { exitCode: ExitCode.Usage, code: 'UsageError', message: error.message };
  if (error instanceof EnvelopeApiError) {
    return { exitCode: error.code === 'InvalidCiphertext' ? ExitCode.InvalidData : ExitCode.ApiError, code: error.code, message: error.message };
  }
  if (error instanceof InvalidResponseError || error instanceof NetworkError)
    return { exitCode: ExitCode.ApiError, code: error.code, message: error.message };
  if (error instanceof FileFormatError) return fileFormatFailure(error);
  const named = error as { name?: unknown; code?: unknown; message?: unknown; $metadata?: unknown; cause?: unknown };
  const message = typeof named?.message === 'string' ? named.message : String(error);
  if (named?.name === 'CredentialsProviderError') return { exitCode: ExitCode.Usage, code: 'NoCredentials', message: noCredentials(env.AWS_PROFILE) };
  // An AWS SDK service error: S3, the only AWS service the CLI calls itself.
  if (named?.$metadata !== undefined && typeof named.name === 'string') return { exitCode: ExitCode.InputOutput, code: named.name, message };
  // Node's system errors (ENOENT, EACCES, EISDIR, EPIPE…) carry their code at the front of their message.
  if (typeof named?.code === 'string' && /^E[A-Z]+$/.test(named.code)) {
    return { exitCode: ExitCode.InputOutput, code: named.code, message: message.replace(new RegExp(`^${named.code}: `), '') };
  }
  if (named?.name === 'AbortError') return { exitCode: ExitCode.InputOutput, code: 'Aborted', message };
  return { exitCode: ExitCode.ApiError, code: 'InternalError', message };
}

/**
 * The SDK found no credentials. With AWS_PROFILE set it reads only that profile, even over
 * AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY: a profile left in the shell is the usual cause.
 */
export function noCredentials(profile: string | undefined): string {
  if (!profile) return 'No AWS credentials found (set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE).';
  return (
    `The profile "${profile}" named in AWS_PROFILE (or --profile) gave no AWS credentials: \`unset AWS_PROFILE\` (and drop --profile) to sign with ` +
    `AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (as for the local runtime), or fix the profile (\`aws configure --profile ${profile}\`, \`aws sso login --profile ${profile}\`).`
  );
}

function fileFormatFailure(error: FileFormatError): Failure {
  switch (error.code) {
    case 'InvalidCiphertext':
    case 'ContextMismatch':
      return { exitCode: ExitCode.InvalidData, code: error.code, message: error.message };
    case 'KeyUnwrapFailed':
      // The data key's decrypt call failed: report the API's own answer (AccessDenied, KeyDisabled…).
      return error.cause === undefined ? { exitCode: ExitCode.InvalidData, code: error.code, message: error.message } : failureOf(error.cause);
    case 'InvalidArgument':
      return { exitCode: ExitCode.Usage, code: error.code, message: error.message };
    case 'LimitExceeded':
      return { exitCode: ExitCode.InputOutput, code: error.code, message: error.message };
  }
}

/** One line, whatever the message holds. */
export const formatFailure = ({ code, message }: Failure): string => `error: ${code}: ${message.replace(/\s*\n\s*/g, ' ').trim()}`;
