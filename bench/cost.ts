/**
 * The cost model: dollars per million requests from what a request costs each AWS service, and the
 * cost of a deployment per month. Pure functions of their inputs and bench/prices.ts; the formulas
 * are written out in docs/performance.md.
 */
import { PRICES, type Prices } from './prices.js';

/** What the model assumes where the bench cannot measure, for a reader to replace with their own. */
export interface Assumptions {
  /**
   * Milliseconds a request waits for CloudWatch Logs to take its audit record (PutLogEvents in the
   * region, before the answer leaves): billed Lambda time the local runtime, which appends to a
   * file, cannot show.
   */
  readonly auditWriteMs: number;
  /** X-Ray's default sampling rule: the first request each second, and this fraction of the others. */
  readonly tracedFraction: number;
  readonly reservoirPerSecond: number;
  /** The example month's requests. */
  readonly monthlyRequests: number;
}

export const ASSUMPTIONS: Assumptions = { auditWriteMs: 10, tracedFraction: 0.05, reservoirPerSecond: 1, monthlyRequests: 10_000_000 };

/** What one request costs the services it uses. */
export interface RequestCostInputs {
  readonly items: number;
  /** The handler's own time, measured. */
  readonly handlerMs: number;
  /** The function's memory (lib/functions.ts). */
  readonly memoryMb: number;
  /** Audit record bytes, into the audit log group. */
  readonly auditBytes: number;
  /** Every other log byte: the function's output, Lambda's own lines, API Gateway's access log line. */
  readonly logBytes: number;
  /** KMS calls, and DynamoDB reads, per request: what the data-key cache leaves of one per item. */
  readonly kmsCalls: number;
  readonly dynamoDbReads: number;
}

export interface CostLine {
  readonly component: string;
  readonly usd: number;
}

const MILLION = 1e6;
/** CloudWatch Logs' GB, taken as 10^9 bytes: if AWS counts 2^30, the figures here are a little high. */
const GB = 1e9;
/** An average month, as AWS's monthly prices mean it. */
export const SECONDS_PER_MONTH = (365.25 / 12) * 24 * 3600;
const DAYS_PER_MONTH = 365.25 / 12;

/** Lambda bills each invocation's duration rounded up to the millisecond. */
export const billedMs = (inputs: RequestCostInputs, assumptions: Assumptions = ASSUMPTIONS): number =>
  Math.ceil(inputs.handlerMs + assumptions.auditWriteMs);

/** Dollars per million requests, by service. */
export function requestCost(inputs: RequestCostInputs, prices: Prices = PRICES, assumptions: Assumptions = ASSUMPTIONS): CostLine[] {
  const gbSeconds = (billedMs(inputs, assumptions) / 1000) * (inputs.memoryMb / 1024);
  return [
    { component: 'API Gateway', usd: prices.apiGatewayRequest.usd },
    { component: 'Lambda requests', usd: prices.lambdaRequest.usd },
    { component: 'Lambda duration', usd: gbSeconds * prices.lambdaArmGbSecond.usd * MILLION },
    { component: 'KMS', usd: inputs.kmsCalls * prices.kmsRequest.usd },
    { component: 'DynamoDB reads', usd: inputs.dynamoDbReads * prices.dynamoDbRead.usd },
    { component: 'CloudWatch Logs ingestion', usd: (((inputs.auditBytes + inputs.logBytes) * MILLION) / GB) * prices.logsIngestion.usd },
    { component: 'X-Ray', usd: assumptions.tracedFraction * prices.xrayTrace.usd },
  ];
}

export const total = (lines: readonly CostLine[]): number => lines.reduce((sum, line) => sum + line.usd, 0);

/** Dollars per million items: a batch's request cost shared by its items. */
export const perMillionItems = (inputs: RequestCostInputs, prices: Prices = PRICES, assumptions: Assumptions = ASSUMPTIONS): number =>
  total(requestCost(inputs, prices, assumptions)) / inputs.items;

/** Calling KMS Encrypt or Decrypt directly, once per item: dollars per million. */
export const kmsDirectPerMillion = (prices: Prices = PRICES): number => prices.kmsRequest.usd;

/** What one deployment keeps, as counted in its synthesized templates (bench/deployment-resources.ts). */
export interface DeploymentResources {
  readonly kmsKeys: number;
  readonly secrets: number;
  readonly dashboards: number;
  /** Metrics the alarms read: a metric-math alarm pays for each. */
  readonly alarmMetrics: number;
  readonly auditRetentionDays: number;
  /** The longest retention of the other log groups: the functions' and the access logs. */
  readonly logRetentionDays: number;
}

/** Dollars a month whatever the traffic; custom metrics exist once requests publish them (undefined: not counted). */
export function monthlyAtRest(resources: DeploymentResources, customMetrics: number | undefined, prices: Prices = PRICES): CostLine[] {
  return [
    { component: `KMS keys (${resources.kmsKeys})`, usd: resources.kmsKeys * prices.kmsKey.usd },
    { component: `Secrets Manager secrets (${resources.secrets})`, usd: resources.secrets * prices.secret.usd },
    { component: `CloudWatch dashboards (${resources.dashboards})`, usd: resources.dashboards * prices.dashboard.usd },
    { component: `CloudWatch alarm metrics (${resources.alarmMetrics})`, usd: resources.alarmMetrics * prices.alarmMetric.usd },
    ...(customMetrics === undefined
      ? []
      : [{ component: `Custom metrics published (${customMetrics})`, usd: customMetrics * prices.customMetric.usd }]),
  ];
}

/**
 * Dollars a month of `assumptions.monthlyRequests` requests like `inputs`, spread evenly over the
 * month: the requests, the traces the sampling reservoir adds, and the logs kept, once every log
 * group holds its full retention.
 */
export function monthlyTraffic(
  inputs: RequestCostInputs,
  resources: DeploymentResources,
  prices: Prices = PRICES,
  assumptions: Assumptions = ASSUMPTIONS,
): CostLine[] {
  const requests = assumptions.monthlyRequests;
  const reservoirTraces = Math.min(requests, assumptions.reservoirPerSecond * SECONDS_PER_MONTH) * (1 - assumptions.tracedFraction);
  const storedGb =
    (requests *
      (inputs.auditBytes * (resources.auditRetentionDays / DAYS_PER_MONTH) + inputs.logBytes * (resources.logRetentionDays / DAYS_PER_MONTH))) /
    GB;
  return [
    { component: 'Requests', usd: (requests / MILLION) * total(requestCost(inputs, prices, assumptions)) },
    { component: 'X-Ray reservoir', usd: (reservoirTraces / MILLION) * prices.xrayTrace.usd },
    { component: 'CloudWatch Logs storage, retention full', usd: storedGb * prices.logsStorage.usd },
  ];
}
