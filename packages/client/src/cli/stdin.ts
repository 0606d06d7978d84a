import { fstatSync } from 'node:fs';

/**
 * Stdin as a stream, refused (EISDIR, exit 3) when it is a directory (`< /tmp`): Node would read one
 * as empty input, and encrypt nothing without a word.
 */
export function stdinStream(): NodeJS.ReadStream {
  let directory = false;
  try {
    directory = fstatSync(0).isDirectory();
  } catch {
    // No stdin at all (closed): reading it fails, or reads nothing, as before.
  }
  if (directory) throw Object.assign(new Error('EISDIR: illegal operation on a directory, read stdin'), { code: 'EISDIR' });
  return process.stdin;
}

/** All of stdin, as bytes. */
export async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdinStream()) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
