/**
 * A second opinion on the synthesized templates: AWS Control Tower's proactive controls, run by
 * cfn-guard (the binary and rules @cdklabs/cdk-validator-cfnguard ships, offline), each finding
 * checked against GUARD_ACKNOWLEDGEMENTS.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App } from 'aws-cdk-lib';
import { GUARD_ACKNOWLEDGEMENTS, type GuardAcknowledgement } from './cfn-guard-acknowledgements.js';

export interface GuardFinding {
  readonly control: string;
  /** The template's name, without `.template.json`. */
  readonly template: string;
  /** The logical id, or '' for a finding on the template as a whole. */
  readonly resource: string;
  readonly description: string;
}

/** Runs the controls over templates, by name: findings, one per resource. */
export function guardFindings(templates: Readonly<Record<string, object>>): GuardFinding[] {
  const dir = mkdtempSync(join(tmpdir(), 'envelope-guard-'));
  try {
    const paths = Object.entries(templates).map(([name, template]) => {
      const path = join(dir, `${name}.template.json`);
      writeFileSync(path, JSON.stringify(template));
      return path;
    });
    // Reports of many resources pass the 1 MB default.
    const report = new CfnGuardValidator({ maxBuffer: 64 * 1024 * 1024 }).validate({ templatePaths: paths, appConstruct: new App() });
    return report.violations.flatMap((violation) =>
      violation.violatingResources.map((resource) => ({
        control: /\[(CT\.[A-Z0-9]+\.PR\.\d+)\]/.exec(violation.description ?? '')?.[1] ?? violation.ruleName,
        template: resource.templatePath
          .split('/')
          .pop()!
          .replace(/\.template\.json$/, ''),
        resource: resource.resourceLogicalId ?? '',
        description: violation.description ?? violation.ruleName,
      })),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** An acknowledgement names resources by the start of their logical ids, which CDK ends with a hash. */
const covers = (acknowledgement: GuardAcknowledgement, finding: GuardFinding) =>
  acknowledgement.control === finding.control &&
  acknowledgement.resources.some((resource) => (resource === '' ? finding.resource === '' : finding.resource.startsWith(resource)));

export function unacknowledged(findings: readonly GuardFinding[], acknowledgements = GUARD_ACKNOWLEDGEMENTS): GuardFinding[] {
  return findings.filter((finding) => !acknowledgements.some((acknowledgement) => covers(acknowledgement, finding)));
}

/** Acknowledgements (control and resource) that no finding needs any more. */
export function staleAcknowledgements(findings: readonly GuardFinding[], acknowledgements = GUARD_ACKNOWLEDGEMENTS): string[] {
  return acknowledgements.flatMap((acknowledgement) =>
    acknowledgement.resources
      .filter((resource) => !findings.some((finding) => covers({ ...acknowledgement, resources: [resource] }, finding)))
      .map((resource) => `${acknowledgement.control} ${resource || '(template)'}`),
  );
}
