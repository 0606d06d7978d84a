import { describe, expect, it } from 'vitest';
import {
  type Assumptions,
  billedMs,
  type DeploymentResources,
  kmsDirectPerMillion,
  monthlyAtRest,
  monthlyTraffic,
  perMillionItems,
  type RequestCostInputs,
  requestCost,
  SECONDS_PER_MONTH,
  total,
} from '../../bench/cost.js';
import { PRICES, type Prices } from '../../bench/prices.js';

/** Round prices, so that each expected figure can be worked out by hand. */
const prices: Prices = Object.fromEntries(
  Object.entries(PRICES).map(([name, price]) => [
    name,
    {
      ...price,
      usd: {
        apiGatewayRequest: 3,
        lambdaRequest: 0.2,
        lambdaArmGbSecond: 0.00001,
        dynamoDbRead: 0.1,
        kmsRequest: 3,
        kmsKey: 1,
        secret: 0.4,
        logsIngestion: 0.5,
        logsStorage: 0.03,
        dashboard: 3,
        alarmMetric: 0.1,
        customMetric: 0.3,
        xrayTrace: 5,
      }[name]!,
    },
  ]),
) as Prices;

const assumptions: Assumptions = { auditWriteMs: 9, tracedFraction: 0.1, reservoirPerSecond: 1, monthlyRequests: 1_000_000 };

const single: RequestCostInputs = {
  items: 1,
  handlerMs: 0.4,
  memoryMb: 2048,
  auditBytes: 400,
  logBytes: 600,
  kmsCalls: 0.001,
  dynamoDbReads: 0.002,
};

const byComponent = (lines: readonly { component: string; usd: number }[]) => Object.fromEntries(lines.map((line) => [line.component, line.usd]));

describe('the cost per million requests', () => {
  it('bills Lambda the handler time and the audit write, rounded up to the millisecond', () => {
    expect(billedMs(single, assumptions)).toBe(10);
    expect(billedMs({ ...single, handlerMs: 1 }, assumptions)).toBe(10);
    expect(billedMs({ ...single, handlerMs: 1.01 }, assumptions)).toBe(11);
  });

  it('adds what each service charges for one request', () => {
    const lines = byComponent(requestCost(single, prices, assumptions));
    expect(lines['API Gateway']).toBe(3);
    expect(lines['Lambda requests']).toBe(0.2);
    // 10 ms at 2 GB: 0.02 GB-s, a million times.
    expect(lines['Lambda duration']).toBeCloseTo(0.02 * 0.00001 * 1e6, 10);
    expect(lines.KMS).toBeCloseTo(0.003, 10);
    expect(lines['DynamoDB reads']).toBeCloseTo(0.0002, 10);
    // 1,000 bytes a million times: 1 GB.
    expect(lines['CloudWatch Logs ingestion']).toBeCloseTo(0.5, 10);
    expect(lines['X-Ray']).toBeCloseTo(0.5, 10);
    expect(total(requestCost(single, prices, assumptions))).toBeCloseTo(3 + 0.2 + 0.2 + 0.003 + 0.0002 + 0.5 + 0.5, 10);
  });

  it('shares a batch request among its items', () => {
    const batch = { ...single, items: 100 };
    expect(perMillionItems(batch, prices, assumptions)).toBeCloseTo(total(requestCost(batch, prices, assumptions)) / 100, 10);
  });

  it('prices calling KMS directly at one request per item', () => {
    expect(kmsDirectPerMillion(prices)).toBe(3);
  });
});

describe('the cost of a deployment per month', () => {
  const resources: DeploymentResources = {
    kmsKeys: 3,
    secrets: 1,
    dashboards: 1,
    alarmMetrics: 19,
    auditRetentionDays: 3653,
    logRetentionDays: 365,
  };

  it('at rest: the resources counted, and the custom metrics published', () => {
    expect(total(monthlyAtRest(resources, 24, prices))).toBeCloseTo(3 + 0.4 + 3 + 1.9 + 7.2, 10);
  });

  it('with traffic: the requests, the reservoir up to one trace a second, and the logs kept for their retention', () => {
    const lines = byComponent(monthlyTraffic(single, resources, prices, assumptions));
    expect(lines.Requests).toBeCloseTo(total(requestCost(single, prices, assumptions)), 10);
    // A million requests a month is less than one a second: the reservoir records each, 90% of them beyond the fixed rate.
    expect(lines['X-Ray reservoir']).toBeCloseTo(0.9 * 5, 10);
    const months = (days: number) => days / (365.25 / 12);
    expect(lines['CloudWatch Logs storage, retention full']).toBeCloseTo(((1e6 * (400 * months(3653) + 600 * months(365))) / 1e9) * 0.03, 10);
    const busy = byComponent(monthlyTraffic(single, resources, prices, { ...assumptions, monthlyRequests: 1e9 }));
    expect(busy['X-Ray reservoir']).toBeCloseTo((SECONDS_PER_MONTH * 0.9 * 5) / 1e6, 10);
  });
});
