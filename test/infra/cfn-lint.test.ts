import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { synthesizeApp } from './synthesize.js';

const run = promisify(execFile);

/**
 * W3005 (a DependsOn that a GetAtt already implies) is how aws-cdk-lib renders a function's
 * dependency on its role's policy; it is harmless and not ours to change.
 */
const IGNORED = ['W3005'];

describe('cfn-lint', () => {
  it('passes on every synthesized template (and fails loudly if cfn-lint is missing)', async () => {
    const { outdir } = synthesizeApp();
    const templates = readdirSync(outdir)
      .filter((f) => f.endsWith('.template.json'))
      .map((f) => join(outdir, f));
    expect(templates.map((t) => t.split('/').pop()).sort()).toEqual(
      ['EnvelopeAccount', 'EnvelopeApi-test', 'EnvelopeData-test', 'EnvelopeKey-test'].map((stack) => `${stack}.template.json`),
    );
    const result = await run('cfn-lint', ['--ignore-checks', ...IGNORED, '--', ...templates]).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (error: { code?: number | string; stdout?: string; message: string }) => {
        if (error.code === 'ENOENT') throw new Error('cfn-lint is not installed: install it (pip install cfn-lint) to lint the templates.');
        return { code: error.code, stdout: error.stdout ?? error.message };
      },
    );
    expect(result.stdout).toBe('');
    expect(result.code).toBe(0);
  });
});
