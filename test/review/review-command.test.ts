import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPOSITORY } from '../../scripts/review/reports.js';

const review = (...args: string[]) => promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/review.ts', ...args], { cwd: REPOSITORY });

describe('npm run review -- --base', () => {
  it('has nothing to compare with a ref that names no commit (HEAD~1 in a clone of one commit): it says so and exits 0', async () => {
    const { stdout } = await review('--base', 'refs/heads/no-such-branch-for-the-review-test');
    expect(stdout).toMatch(/names no commit here, so there is nothing to compare/);
  });
});
