/** What one deployment keeps and pays for by the month, counted in the stacks as `cdk synth` makes them. */
import { auditLogGroupName } from '../lib/naming.js';
import { STAGE, type Synthesized } from '../scripts/reference-docs/stacks.js';
import type { CfnTemplate } from '../scripts/reference-docs/template.js';
import type { DeploymentResources } from './cost.js';

type Properties = Readonly<Record<string, unknown>>;

const resourcesOf = (templates: readonly CfnTemplate[], type: string) =>
  templates.flatMap((template) =>
    Object.values(template.Resources)
      .filter((resource) => resource.Type === type)
      .map((resource) => ({ template, properties: (resource.Properties ?? {}) as Properties })),
  );

/** A number property: a literal, or a stack parameter's default. */
function numberOf(value: unknown, template: CfnTemplate): number {
  const ref = (value as { Ref?: string } | undefined)?.Ref;
  const resolved = ref === undefined ? value : template.Parameters?.[ref]?.Default;
  const number = Number(resolved);
  if (!Number.isFinite(number)) throw new Error(`Not a number, nor a parameter with a numeric default: ${JSON.stringify(value)}`);
  return number;
}

/**
 * The metrics an alarm pays for: each metric a metric-math alarm reads (its expressions are free),
 * or its one metric. Standard resolution only: the prices hold no other.
 */
function alarmMetrics(properties: Properties, template: CfnTemplate): number {
  const metrics = (properties.Metrics as { MetricStat?: { Period: unknown } }[] | undefined)?.flatMap((m) =>
    m.MetricStat ? [m.MetricStat] : [],
  ) ?? [{ Period: properties.Period }];
  if (metrics.some((metric) => numberOf(metric.Period, template) < 60))
    throw new Error('A high-resolution alarm: bench/prices.ts has no price for it.');
  return metrics.length;
}

export function deploymentResources({ stacks }: Synthesized): DeploymentResources {
  const templates = stacks.map((stack) => stack.template);
  const logGroups = resourcesOf(templates, 'AWS::Logs::LogGroup').map(({ template, properties }) => ({
    audit: properties.LogGroupName === auditLogGroupName(STAGE),
    retentionDays: numberOf(properties.RetentionInDays, template),
  }));
  const retention = (audit: boolean) => Math.max(...logGroups.filter((group) => group.audit === audit).map((group) => group.retentionDays));
  return {
    kmsKeys: resourcesOf(templates, 'AWS::KMS::Key').length,
    secrets: resourcesOf(templates, 'AWS::SecretsManager::Secret').length,
    dashboards: resourcesOf(templates, 'AWS::CloudWatch::Dashboard').length,
    alarmMetrics: resourcesOf(templates, 'AWS::CloudWatch::Alarm').reduce(
      (sum, { template, properties }) => sum + alarmMetrics(properties, template),
      0,
    ),
    auditRetentionDays: retention(true),
    logRetentionDays: retention(false),
  };
}

/** The API stage's access log format, as API Gateway writes a line of it per request. */
export function accessLogFormat({ api }: Synthesized): string {
  const [stage] = resourcesOf([api.template], 'AWS::ApiGateway::Stage');
  const format = (stage?.properties.AccessLogSetting as { Format?: unknown } | undefined)?.Format;
  if (typeof format !== 'string') throw new Error('The API stage has no access log format.');
  return format;
}
