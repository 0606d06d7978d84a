/** The access report as data (docs/access-report.json): every question asked, its answer, and the invariants over them. */
import { accountOf, PolicyEvaluator } from '../../local/iam/policy-evaluator.js';
import { type Answer, answer } from './answers.js';
import { conditionFacets } from './conditions.js';
import { KEY_ADMINISTRATORS, REVIEW_TARGET } from './deployment.js';
import { type InvariantResult, invariantsOf } from './invariants.js';
import { type PrincipalGroup, reviewPrincipals } from './principals.js';
import { reviewedDeployment } from './resources.js';
import type { StackTemplates } from './synthesis.js';

export const REPORT_FILES = { markdown: 'docs/access-report.md', json: 'docs/access-report.json' } as const;

export interface ReportColumn {
  readonly label: string;
  readonly action: string;
  readonly resource: string;
  readonly accessLevel: string;
  /** The action takes a KMS encryption context: a cryptographic use of the key. */
  readonly cryptographic: boolean;
  /** The principal whose own resource this column asks about, if any. */
  readonly owner?: string;
}

export interface ReportResource {
  readonly id: string;
  readonly title: string;
  readonly stack?: string;
  readonly arn: string;
  /** The policy on the resource, named; none when identity policies decide alone. */
  readonly policy?: string;
  readonly columns: readonly ReportColumn[];
  /** By principal id, then column label. */
  readonly answers: Readonly<Record<string, Readonly<Record<string, Answer>>>>;
}

export interface AccessReport {
  readonly deployment: {
    readonly stage: string;
    readonly account: string;
    readonly region: string;
    readonly callers: readonly string[];
    readonly keyAdministrators: string;
  };
  /** Condition ids, in words. */
  readonly conditions: Readonly<Record<string, string>>;
  readonly principals: readonly { readonly id: string; readonly label: string; readonly group: PrincipalGroup; readonly arn: string }[];
  readonly invariants: readonly InvariantResult[];
  readonly resources: readonly ReportResource[];
}

export async function accessReport(templates: StackTemplates): Promise<AccessReport> {
  const deployment = await reviewedDeployment(templates);
  const principals = reviewPrincipals(deployment.deployed, deployment.apiGatewayRole);
  const facets = conditionFacets(deployment.names);
  const evaluator = new PolicyEvaluator();
  const resources: ReportResource[] = [];
  for (const resource of deployment.resources) {
    const answers: Record<string, Record<string, Answer>> = {};
    for (const { id, principal } of principals) {
      answers[id] = {};
      for (const column of resource.columns) {
        const resourcePolicy = column.resourcePolicy ?? resource.resourcePolicy;
        answers[id][column.label] = await answer(
          evaluator,
          {
            principal,
            action: column.action,
            resource: column.resource,
            resourceAccount: accountOf(column.resource) || REVIEW_TARGET.account,
            actionConditionKeys: column.conditionKeys,
            ...(resourcePolicy && { resourcePolicy }),
          },
          facets,
        );
      }
    }
    const { id, title, stack, arn, policy } = resource;
    const columns = resource.columns.map(
      ({ label, action, resource: target, accessLevel, conditionKeys, owner }): ReportColumn => ({
        label,
        action,
        resource: target,
        accessLevel,
        cryptographic: conditionKeys.includes('kms:EncryptionContextKeys'),
        ...(owner && { owner }),
      }),
    );
    resources.push({ id, title, ...(stack && { stack }), arn, ...(policy && { policy }), columns, answers });
  }
  const report = {
    deployment: {
      stage: REVIEW_TARGET.stage,
      account: REVIEW_TARGET.account,
      region: REVIEW_TARGET.region,
      callers: [...(REVIEW_TARGET.crossAccountCallers ?? [])],
      keyAdministrators: KEY_ADMINISTRATORS,
    },
    conditions: Object.fromEntries(facets.map((facet) => [facet.id, facet.words])),
    principals: principals.map(({ id, label, group, principal }) => ({ id, label, group, arn: principal === 'anonymous' ? '*' : principal.arn })),
    resources,
  };
  return { ...report, invariants: invariantsOf(report) };
}
