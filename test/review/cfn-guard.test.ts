import { beforeAll, describe, expect, it } from 'vitest';
import { type GuardFinding, guardFindings, staleAcknowledgements, unacknowledged } from '../../scripts/review/cfn-guard.js';
import { REVIEW_TARGET } from '../../scripts/review/deployment.js';
import { REPOSITORY } from '../../scripts/review/reports.js';
import { synthesizeCheckout } from '../../scripts/review/synthesis.js';

/** The synthesis and cfn-guard's hundreds of rules share two cores with the rest of the suite. */
const SLOW = 240_000;
const shown = (findings: readonly GuardFinding[]) => findings.map((f) => `${f.control} ${f.template}/${f.resource}: ${f.description.split('\n')[0]}`);

describe("AWS Control Tower's proactive controls (cfn-guard) over the synthesized templates", () => {
  let findings: GuardFinding[];
  beforeAll(async () => {
    findings = guardFindings({ ...(await synthesizeCheckout(REPOSITORY, REVIEW_TARGET)) });
  }, SLOW);

  it('find nothing that scripts/review/cfn-guard-acknowledgements.ts does not acknowledge with its reason', () => {
    expect(shown(unacknowledged(findings))).toEqual([]);
  });

  it('still make every finding acknowledged there: an acknowledgement goes when its finding is fixed', () => {
    expect(staleAcknowledgements(findings)).toEqual([]);
  });

  it(
    'report a resource that breaks a control until it is acknowledged: a log group encrypted with no key of its own',
    () => {
      const bare = guardFindings({ Bare: { Resources: { Logs: { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 400 } } } } });
      expect(unacknowledged(bare).map((f) => `${f.control} ${f.resource}`)).toEqual(['CT.CLOUDWATCH.PR.3 Logs']);
      expect(unacknowledged(bare, [{ control: 'CT.CLOUDWATCH.PR.3', resources: ['Logs'], reason: 'a test' }])).toEqual([]);
    },
    SLOW,
  );
});
