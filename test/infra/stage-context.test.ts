import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { apiGatewayCloudWatchRoleFromContext, crossAccountCallersFromContext, stageFromContext } from '../../lib/stage-context.js';

const ROLE = 'arn:aws:iam::444455556666:role/partner';
const ROOT = 'arn:aws:iam::777788889999:root';
const USER = 'arn:aws:iam::444455556666:user/ci';

describe('the stage context value', () => {
  it('defaults to dev', () => {
    expect(stageFromContext(undefined)).toBe('dev');
    expect(stageFromContext('prod-2')).toBe('prod-2');
  });

  it.each([['Prod'], [''], ['a'.repeat(21)], [7]])('refuses %j, saying what a stage name is', (value) => {
    expect(() => stageFromContext(value)).toThrow(
      `The stage context (or ENVELOPE_STAGE) must be 1 to 20 lowercase letters, digits or hyphens, such as dev or prod, not ${typeof value === 'string' ? value : JSON.stringify(value)}.`,
    );
  });
});

describe('the apiGatewayCloudWatchRole context value', () => {
  it('defaults to create', () => {
    expect(apiGatewayCloudWatchRoleFromContext(undefined)).toBe('create');
  });

  it.each(['create', 'existing'] as const)('takes %s', (value) => {
    expect(apiGatewayCloudWatchRoleFromContext(value)).toBe(value);
  });

  it.each([['none'], ['Existing'], [''], [true]])('refuses %j, naming both choices and the value given', (value) => {
    expect(() => apiGatewayCloudWatchRoleFromContext(value)).toThrow(
      new RegExp(`apiGatewayCloudWatchRole context must be create .* or existing .*, not ${String(value)}\\.$`),
    );
  });
});

describe('the callers context value', () => {
  it('is empty when not given', () => {
    expect(crossAccountCallersFromContext(undefined)).toEqual([]);
    expect(crossAccountCallersFromContext('')).toEqual([]);
    expect(crossAccountCallersFromContext('[]')).toEqual([]);
    expect(crossAccountCallersFromContext([])).toEqual([]);
  });

  it('is ARNs separated by commas on the command line, spaces around them ignored', () => {
    expect(crossAccountCallersFromContext(`${ROLE}, ${ROOT} ,${USER}`)).toEqual([ROLE, ROOT, USER]);
    expect(crossAccountCallersFromContext(ROLE)).toEqual([ROLE]);
  });

  it('is a JSON list on the command line, or a list in cdk.json', () => {
    expect(crossAccountCallersFromContext(` ${JSON.stringify([ROLE, ROOT])}`)).toEqual([ROLE, ROOT]);
    expect(crossAccountCallersFromContext([ROLE, ROOT])).toEqual([ROLE, ROOT]);
  });

  it('names each principal once, in the order first given', () => {
    expect(crossAccountCallersFromContext(`${ROOT},${ROLE},${ROOT}`)).toEqual([ROOT, ROLE]);
    expect(crossAccountCallersFromContext([ROLE, ROLE])).toEqual([ROLE]);
  });

  it.each([
    'arn:aws:iam::444455556666:role/path/partner',
    'arn:aws:sts::444455556666:assumed-role/partner/session',
    'arn:aws-cn:iam::444455556666:root',
    'arn:aws-us-gov:iam::444455556666:user/ci',
  ])('takes %s', (arn) => {
    expect(crossAccountCallersFromContext(arn)).toEqual([arn]);
  });

  it.each([
    ['an S3 bucket', 'arn:aws:s3:::bucket'],
    ['an account id alone', '444455556666'],
    ['a short account id', 'arn:aws:iam::4444:root'],
    ['an IAM group', 'arn:aws:iam::444455556666:group/admins'],
    ['a wildcard', '*'],
  ])('refuses %s, saying what an ARN must be and which one is wrong', (_, arn) => {
    expect(() => crossAccountCallersFromContext(`${ROLE},${arn}`)).toThrow(
      `The callers context is not valid: caller 2 (${arn}): must be an IAM role, user or account root ARN.`,
    );
    expect(() => crossAccountCallersFromContext([arn])).toThrow(`caller 1 (${arn}): must be an IAM role, user or account root ARN.`);
  });

  it('refuses a JSON list that does not parse, quoting it', () => {
    expect(() => crossAccountCallersFromContext(`["${ROLE}"`)).toThrow(
      `The callers context must be ARNs separated by commas or a JSON list, not ["${ROLE}".`,
    );
  });

  it('refuses what is neither a string nor a list of ARNs', () => {
    expect(() => crossAccountCallersFromContext(42)).toThrow('The callers context must be ARNs separated by commas or a JSON list, not 42.');
    expect(() => crossAccountCallersFromContext([ROLE, 42])).toThrow(
      'The callers context is not valid: caller 2: Invalid input: expected string, received number.',
    );
  });
});

describe('cdk synth -c callers -c apiGatewayCloudWatchRole', () => {
  it('puts the callers in the resource policy, and leaves the CloudWatch role to the account when told', async () => {
    const outdir = mkdtempSync(join(tmpdir(), 'envelope-context-'));
    try {
      await promisify(execFile)(process.execPath, ['--import', 'tsx', 'bin/envelope-api.ts'], {
        env: {
          ...process.env,
          CDK_OUTDIR: outdir,
          CDK_CONTEXT_JSON: JSON.stringify({
            stage: 'ctx',
            callers: `${ROLE},${ROOT}`,
            apiGatewayCloudWatchRole: 'existing',
            'aws:cdk:bundling-stacks': [],
          }),
        },
      });
      const template = JSON.parse(readFileSync(join(outdir, 'EnvelopeApi-ctx.template.json'), 'utf8')) as {
        Resources: Record<string, { Type: string; Properties: { Policy?: { Statement: { Sid: string; Principal: unknown }[] } } }>;
      };
      const restApi = Object.values(template.Resources).find(({ Type }) => Type === 'AWS::ApiGateway::RestApi')!;
      expect(restApi.Properties.Policy!.Statement.find(({ Sid }) => Sid === 'OtherAccountCallers')?.Principal).toEqual({ AWS: [ROLE, ROOT] });
      expect(existsSync(join(outdir, 'EnvelopeKey-ctx.template.json'))).toBe(true);
      expect(existsSync(join(outdir, 'EnvelopeAccount.template.json'))).toBe(false);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  }, 120_000);
});
