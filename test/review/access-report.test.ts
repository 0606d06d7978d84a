import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { accessChanges, changesInWords } from '../../scripts/review/changes.js';
import { type AccessReport, accessReport } from '../../scripts/review/report.js';
import { REPOSITORY, reportFiles } from '../../scripts/review/reports.js';
import { REVIEW_TARGET } from '../../scripts/review/deployment.js';
import { type StackTemplates, synthesizeCheckout } from '../../scripts/review/synthesis.js';

/** The synthesis and the thousands of IAM evaluations share two cores with the rest of the suite. */
const SLOW = 240_000;

let templates: StackTemplates;
let report: AccessReport;
beforeAll(async () => {
  templates = await synthesizeCheckout(REPOSITORY, REVIEW_TARGET);
  report = await accessReport(templates);
}, SLOW);

const answerOf = (from: AccessReport, resource: string, principal: string, column: string) =>
  from.resources.find((r) => r.id === resource)!.answers[principal]![column];

/** The master key's policy with one more statement: a team's role, named as the principal, may decrypt (a key policy naming a principal of its account needs no identity policy). */
function withTeamDecrypting(source: StackTemplates, roleArn: string): StackTemplates {
  const copy = structuredClone(source) as StackTemplates;
  const key = Object.values(copy.key.Resources).find((resource) => resource.Type === 'AWS::KMS::Key')!;
  (key.Properties!.KeyPolicy as { Statement: object[] }).Statement.push({
    Sid: 'TeamDecrypts',
    Effect: 'Allow',
    Principal: { AWS: roleArn },
    Action: 'kms:Decrypt',
    Resource: '*',
  });
  return copy;
}

/** The crypto function's role with one more statement in its identity policy: reading any S3 object. */
function withCryptoReadingS3(source: StackTemplates): StackTemplates {
  const copy = structuredClone(source) as StackTemplates;
  const policies = Object.entries(copy.api.Resources).filter(
    ([id, resource]) => resource.Type === 'AWS::IAM::Policy' && id.startsWith('CryptoFunction'),
  );
  expect(policies).toHaveLength(1);
  (policies[0]![1].Properties!.PolicyDocument as { Statement: object[] }).Statement.push({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' });
  return copy;
}

describe('the access report', () => {
  it('is committed as generated: run `npm run review` after a change to the stacks or their policies', () => {
    for (const [file, text] of reportFiles(report)) {
      expect(readFileSync(join(REPOSITORY, file), 'utf8'), `${file} differs from what the code makes: run \`npm run review\``).toBe(text);
    }
  });

  it('covers every stack the app deploys, the account stack through its role', () => {
    expect(new Set(report.resources.flatMap((resource) => resource.stack ?? []))).toEqual(new Set(['EnvelopeKey', 'EnvelopeData', 'EnvelopeApi']));
    expect(report.principals.map((principal) => principal.id)).toContain('role:api-gateway-cloudwatch');
  });

  it('finds every promise of its header holding', () => {
    expect(report.invariants.filter((invariant) => !invariant.holds)).toEqual([]);
  });

  it('names the conditions an answer depends on: the crypto role unwraps only with the data-key context, the storage key only through DynamoDB', () => {
    expect(answerOf(report, 'master-key', 'function:crypto', 'kms:Decrypt')).toEqual({ decision: 'conditional', conditions: [['dataKeyContext']] });
    expect(answerOf(report, 'master-key', 'key-administrators', 'kms:Decrypt')).toEqual({ decision: 'denied' });
    expect(answerOf(report, 'storage-key', 'function:keys', 'kms:Encrypt')).toEqual({ decision: 'conditional', conditions: [['viaDynamoDB']] });
    expect(answerOf(report, 'storage-key', 'service:logs', 'kms:Encrypt')).toEqual({
      decision: 'conditional',
      conditions: [['auditLogGroupContext']],
    });
    expect(answerOf(report, 'api', 'anonymous', 'GET /v1/health')).toEqual({ decision: 'allowed' });
    expect(answerOf(report, 'api', 'listed:this-account', 'POST /v1/decrypt')).toEqual({ decision: 'denied' });
    expect(answerOf(report, 'api', 'listed:other-account', 'POST /v1/decrypt')).toEqual({ decision: 'allowed' });
  });

  it(
    'reports a key policy widened to a team as a widening, first, with the promise it breaks',
    async () => {
      const dataUser = report.principals.find((principal) => principal.id === 'caller:dataUser')!;
      const widened = await accessReport(withTeamDecrypting(templates, dataUser.arn));
      const changes = accessChanges(report, widened);
      expect(changes[0]?.kind).toBe('widening');
      expect(changes).toContainEqual({
        kind: 'widening',
        where: `Master key · ${dataUser.label} · kms:Decrypt`,
        before: 'denied',
        after: 'allowed',
      });
      expect(changes.filter((change) => change.kind === 'widening').map((change) => change.where)).toContain(
        `promise: ${report.invariants.find((invariant) => invariant.id === 'callers-only-through-api')!.statement.replace(/\.$/, '')}`,
      );
      expect(changes.some((change) => change.kind === 'narrowing')).toBe(false);
      expect(changesInWords(changes)).toMatch(/^WIDENED \(\d+\):\n {2}\+ /);
      expect(accessChanges(report, report)).toEqual([]);
    },
    SLOW,
  );

  it(
    "reports a function's role widened beyond the service's resources, with the promise it breaks",
    async () => {
      const changes = accessChanges(report, await accessReport(withCryptoReadingS3(templates)));
      const nothingElsewhere = report.invariants.find((invariant) => invariant.id === 'nothing-elsewhere')!;
      expect(changes).toEqual([
        {
          kind: 'widening',
          where: "Anything else in the account · crypto function's role · GetObject: any bucket",
          before: 'denied',
          after: 'allowed',
        },
        { kind: 'widening', where: `promise: ${nothingElsewhere.statement.replace(/\.$/, '')}`, before: 'holds', after: 'broken' },
      ]);
    },
    SLOW,
  );
});
