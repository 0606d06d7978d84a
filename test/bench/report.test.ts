import { describe, expect, it } from 'vitest';
import type { DeploymentResources } from '../../bench/cost.js';
import { deploymentResources } from '../../bench/deployment-resources.js';
import { accessLogLine } from '../../bench/log-lines.js';
import { NOT_MEASURED, performanceSections } from '../../bench/report.js';
import { meets, TARGETS, targetText } from '../../bench/targets.js';
import type { Synthesized } from '../../scripts/reference-docs/stacks.js';
import type { CfnTemplate } from '../../scripts/reference-docs/template.js';

const resources: DeploymentResources = { kmsKeys: 3, secrets: 1, dashboards: 1, alarmMetrics: 19, auditRetentionDays: 3653, logRetentionDays: 365 };
const deployment = { resources, accessLogFormat: '{"requestId":"$context.requestId","status":"$context.status"}' };

describe('the report of a run', () => {
  it('shows every figure a run did not write as not measured yet, whatever else it lacks', () => {
    const sections = performanceSections({}, deployment);
    const text = sections.map((section) => section.text).join('\n');
    expect(text).toContain(NOT_MEASURED);
    expect(text).not.toMatch(/undefined|NaN/);
    // What needs no run: the deployment at rest (without custom metrics) and the prices.
    expect(text).toContain('$8.30');
    expect(sections.map((section) => section.heading)).toContain('Prices');
  });

  it("reads an earlier run's figures that keep their meaning, and marks targets", () => {
    const text = performanceSections({ batchVsSingleItemsPerSecond: 41.5, maxInitMs: 130 }, deployment)
      .map((section) => section.text)
      .join('\n');
    expect(text).toContain('41.5× (target ≥ 40: ✓)');
    expect(text).toContain('130 ms (target ≤ 120: ✗)');
  });
});

describe('the batch ratio', () => {
  it("is shown beside its ceiling here: the handler's own items per second over the singles' requests", () => {
    const run = {
      http: { requestsPerSecond: 4000 },
      handlers: { profiles: { batchEncrypt100: { items: 100, msPerRequest: 1 } } },
    };
    const text = performanceSections(run, deployment)
      .map((section) => section.text)
      .join('\n');
    expect(text).toMatch(/as if gateway and client cost nothing \| 25(\.0)?× \|/);
    expect(
      performanceSections({ http: { requestsPerSecond: 4000 } }, deployment)
        .map((s) => s.text)
        .join('\n'),
    ).toMatch(new RegExp(`as if gateway and client cost nothing \\| ${NOT_MEASURED} \\|`));
  });
});

describe('the targets', () => {
  it('hold at their bound', () => {
    expect(meets(40, TARGETS.batchVsSingleItemsPerSecond)).toBe(true);
    expect(meets(39.99, TARGETS.batchVsSingleItemsPerSecond)).toBe(false);
    expect(meets(96, TARGETS.fileEncryptPeakRssMiB)).toBe(true);
    expect(meets(97, TARGETS.fileEncryptPeakRssMiB)).toBe(false);
    expect(targetText(97, TARGETS.fileEncryptPeakRssMiB, ' MiB')).toBe('target ≤ 96 MiB: ✗');
  });
});

describe('the resources a deployment pays for by the month', () => {
  const template = (resources: CfnTemplate['Resources'], parameters: CfnTemplate['Parameters'] = {}): CfnTemplate => ({
    Resources: resources,
    Parameters: parameters,
  });
  const synthesized = (...templates: CfnTemplate[]): Synthesized => ({
    stacks: templates.map((t, i) => ({ name: `stack${i}`, template: t })),
    api: { name: 'stack0', template: templates[0]! },
    functionIds: {},
  });
  const metric = (period: number) => ({ Id: 'm', MetricStat: { Metric: {}, Period: period, Stat: 'Sum' } });

  it('counts keys, secrets, dashboards, each metric an alarm reads, and the retention parameters default to', () => {
    const counted = deploymentResources(
      synthesized(
        template(
          {
            Key: { Type: 'AWS::KMS::Key' },
            Audit: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: '/envelope-api-dev/audit', RetentionInDays: 3653 } },
            Logs: { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: { Ref: 'LogRetentionInDays' } } },
            Single: { Type: 'AWS::CloudWatch::Alarm', Properties: { MetricName: 'Errors', Period: 60 } },
            MetricMath: { Type: 'AWS::CloudWatch::Alarm', Properties: { Metrics: [{ Id: 'e', Expression: 'a + b' }, metric(60), metric(300)] } },
          },
          { LogRetentionInDays: { Type: 'Number', Default: '365' } },
        ),
        template({
          Key: { Type: 'AWS::KMS::Key' },
          Secret: { Type: 'AWS::SecretsManager::Secret' },
          Dashboard: { Type: 'AWS::CloudWatch::Dashboard' },
        }),
      ),
    );
    expect(counted).toEqual({ kmsKeys: 2, secrets: 1, dashboards: 1, alarmMetrics: 3, auditRetentionDays: 3653, logRetentionDays: 365 });
  });

  it('refuses a high-resolution alarm, which the prices do not cover', () => {
    const highResolution = template({
      Audit: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: '/envelope-api-dev/audit', RetentionInDays: 1 } },
      Logs: { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 1 } },
      Fast: { Type: 'AWS::CloudWatch::Alarm', Properties: { MetricName: 'Errors', Period: 10 } },
    });
    expect(() => deploymentResources(synthesized(highResolution))).toThrow(/high-resolution/);
  });
});

describe('the access log line', () => {
  it("fills the format's context variables, and writes any it does not know as -", () => {
    expect(accessLogLine('{"status":"$context.status","x":"$context.somethingNew"}')).toBe('{"status":"200","x":"-"}');
  });
});
