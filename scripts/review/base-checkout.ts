/** A commit of this repository checked out apart (a `git worktree` in a temporary folder), sharing this checkout's node_modules. */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const git = (cwd: string, ...args: string[]) => promisify(execFile)('git', args, { cwd });

/** The commit a ref names, or undefined when there is none (a clone with one commit has no HEAD~1). */
export async function commitOf(repository: string, ref: string): Promise<string | undefined> {
  try {
    return (await git(repository, 'rev-parse', '--verify', '--quiet', `${ref}^{commit}`)).stdout.trim();
  } catch {
    return undefined;
  }
}

/** Runs `use` in a checkout of the commit, removed afterwards whatever happens. */
export async function withCheckout<T>(repository: string, commit: string, use: (checkout: string) => Promise<T>): Promise<T> {
  const parent = await mkdtemp(join(tmpdir(), 'envelope-review-base-'));
  const checkout = join(parent, 'checkout');
  await git(repository, 'worktree', 'add', '--detach', '--quiet', checkout, commit);
  try {
    await symlink(join(repository, 'node_modules'), join(checkout, 'node_modules'), 'dir');
    return await use(checkout);
  } finally {
    await git(repository, 'worktree', 'remove', '--force', checkout).catch(() => undefined);
    await rm(parent, { recursive: true, force: true });
    await git(repository, 'worktree', 'prune').catch(() => undefined);
  }
}
