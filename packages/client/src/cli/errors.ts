import { CommanderError } from 'commander';
import { EnvelopeApiError, InvalidResponseError } from '../errors.js';
import { FileFormatError } from '../file-format/index.js';

/** The CLI's exit codes (docs/cli.md, "Exit codes"). */
export const ExitCode = {
  /** Done. */
  Success: 0,
  /** The API refused or failed the request (its error code is printed), or could not be reached. */
  ApiError: 1,
  /** The command line or the configuration is wrong: unknown option, missing argument, no endpoint or credentials. */
  Usage: 2,
  /** A local file, stdin/stdout or an S3 object could not be read or written. */
  InputOutput: 3,
  /** The data is not valid: a tampered, truncated or foreign encrypted file or token, or another context than expected. */
  InvalidData: 4,
  /** A file command interrupted by SIGHUP (a closed terminal), as a shell reports it: 128 + 1. It leaves no output behind. */
  Hangup: 129,
  /** Interrupted by SIGINT (Ctrl-C): 128 + 2. */
  Interrupted: 130,
  /** Stopped by SIGTERM: 128 + 15. */
  Terminated: 143,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** 128 + the signal's number, as a shell reports a command killed by it. */
export function interruptedExitCode(signal: string): ExitCode {
  switch (signal) {
    case 'SIGHUP':
      return ExitCode.Hangup;
    case 'SIGTERM':
      return ExitCode.Terminated;
    default:
      return ExitCode.Interrupted;
  }
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
export function failureOf(error: unknown): Failure {
  if (error instanceof CommanderError)
    return { exitCode: error.exitCode === 0 ? ExitCode.Success : ExitCode.Usage, code: error.code, message: error.message };
  if (error instanceof InterruptedError) return { exitCode: interruptedExitCode(error.signal), code: 'Interrupted', message: error.message };
  if (error instanceof UsageError) return { exitCode: ExitCode.Usage, code: 'UsageError', message: error.message };
  if (error instanceof EnvelopeApiError) {
    return { exitCode: error.code === 'InvalidCiphertext' ? ExitCode.InvalidData : ExitCode.ApiError, code: error.code, message: error.message };
  }
  if (error instanceof InvalidResponseError) return { exitCode: ExitCode.ApiError, code: error.code, message: error.message };
  if (error instanceof FileFormatError) return fileFormatFailure(error);
  const named = error as { name?: unknown; code?: unknown; message?: unknown; $metadata?: unknown; cause?: unknown };
  const message = typeof named?.message === 'string' ? named.message : String(error);
  if (named?.name === 'CredentialsProviderError') {
    return {
      exitCode: ExitCode.Usage,
      code: 'NoCredentials',
      message: 'No AWS credentials found (set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE).',
    };
  }
  // An AWS SDK service error: S3, the only AWS service the CLI calls itself.
  if (named?.$metadata !== undefined && typeof named.name === 'string') return { exitCode: ExitCode.InputOutput, code: named.name, message };
  // Node's system errors (ENOENT, EACCES, EISDIR, EPIPE…) carry their code at the front of their message.
  if (typeof named?.code === 'string' && /^E[A-Z]+$/.test(named.code)) {
    return { exitCode: ExitCode.InputOutput, code: named.code, message: message.replace(new RegExp(`^${named.code}: `), '') };
  }
  // fetch() failing to connect: the API could not be reached.
  if (error instanceof TypeError && message === 'fetch failed') {
    const cause = named.cause as { code?: string; message?: string } | undefined;
    return {
      exitCode: ExitCode.ApiError,
      code: 'NetworkError',
      message: `The API could not be reached (${cause?.code ?? cause?.message ?? 'connection failed'}).`,
    };
  }
  if (named?.name === 'AbortError') return { exitCode: ExitCode.InputOutput, code: 'Aborted', message };
  return { exitCode: ExitCode.ApiError, code: 'InternalError', message };
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
