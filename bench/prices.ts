/**
 * AWS's public prices that bench/cost.ts prices the service with: us-east-1, on-demand, the first
 * tier of each, free tiers left out. Written here only: the bench computes with them and the
 * generated page (docs/reference/performance.md) prints them, with where each was confirmed.
 *
 * Here and not in contract/: the contract is what the service, the client and the local runtime
 * agree on; no part of the service reads a price, only the bench's cost model and its page do.
 */
export const PRICES_REGION = 'us-east-1';
/** When the sources below were read. */
export const PRICES_CHECKED = '2026-12-05';

export interface Price {
  /** The symbol the cost formulas (docs/performance.md) use for it. */
  readonly symbol: string;
  readonly usd: number;
  /** What the price is for. */
  readonly per: string;
  /** The page that confirmed it, or that nothing found did. */
  readonly source: string;
}

const AWS_PAGE_WITHOUT_RATE = 'renders its rates in the browser: their numbers are not in its stored text';

export const PRICES = {
  apiGatewayRequest: {
    symbol: 'P_apigw',
    usd: 3.5,
    per: 'million REST API requests (first 333 million a month)',
    source:
      'AWS whitepaper, Best Practices for Designing Amazon API Gateway Private APIs, Cost optimization, Table 4: https://docs.aws.amazon.com/whitepapers/latest/best-practices-api-gateway-private-apis-integration/cost-optimization.html (https://aws.amazon.com/api-gateway/pricing/ ' +
      `${AWS_PAGE_WITHOUT_RATE})`,
  },
  lambdaRequest: {
    symbol: 'P_req',
    usd: 0.2,
    per: 'million Lambda requests',
    source: 'AWS whitepaper, How AWS Pricing Works, Lambda: https://docs.aws.amazon.com/whitepapers/latest/how-aws-pricing-works/lambda.html',
  },
  lambdaArmGbSecond: {
    symbol: 'P_gbs',
    usd: 0.0000133334,
    per: 'GB-second of Lambda on arm64 (first 7.5 billion GB-s a month), billed by the millisecond, rounded up',
    source: `not confirmed on AWS's page (https://aws.amazon.com/lambda/pricing/ ${AWS_PAGE_WITHOUT_RATE}); a summary of it: https://cloudchipr.com/blog/aws-lambda-pricing`,
  },
  dynamoDbRead: {
    symbol: 'P_rru',
    usd: 0.125,
    per: 'million DynamoDB on-demand read request units (after the November 2024 reduction)',
    source: `not confirmed on AWS's page (https://aws.amazon.com/dynamodb/pricing/on-demand/ defines the unit; its rate is not in its stored text); https://airbyte.com/data-engineering-resources/dynamodb-pricing`,
  },
  kmsRequest: {
    symbol: 'P_kms',
    usd: 3,
    per: 'million KMS requests ($0.03 per 10,000 symmetric requests)',
    source: `https://aws.amazon.com/kms/pricing/ (its stored text stops before the request rate); https://www.wring.co/blog/aws-kms-pricing-guide`,
  },
  kmsKey: {
    symbol: 'P_key',
    usd: 1,
    per: 'KMS key a month (each rotation adds $1 a month for the key material it keeps)',
    source: 'https://aws.amazon.com/kms/pricing/',
  },
  secret: {
    symbol: 'P_secret',
    usd: 0.4,
    per: 'Secrets Manager secret a month',
    source:
      "not confirmed on AWS's page (no search found it); https://hivebook.wiki/wiki/aws-secrets-manager-rotated-secrets-dynamic-db-credentials-kms",
  },
  logsIngestion: {
    symbol: 'P_ingest',
    usd: 0.5,
    per: 'GB ingested by CloudWatch Logs (standard log class)',
    source: `not confirmed on AWS's page (https://aws.amazon.com/cloudwatch/pricing/: its stored text holds the free tier only); https://hykell.com/knowledge-base/aws-cloudwatch-logs-pricing`,
  },
  logsStorage: {
    symbol: 'P_store',
    usd: 0.03,
    per: 'GB-month stored by CloudWatch Logs (billed compressed: uncompressed sizes give an upper bound)',
    source: `not confirmed on AWS's page (as above); https://hykell.com/knowledge-base/aws-cloudwatch-logs-pricing`,
  },
  dashboard: {
    symbol: 'P_dash',
    usd: 3,
    per: 'CloudWatch dashboard a month',
    source: `not confirmed on AWS's page (as above); https://www.factualminds.com/blog/amazon-cloudwatch-pricing-metrics-logs-alarms-dashboards/`,
  },
  alarmMetric: {
    symbol: 'P_alarm',
    usd: 0.1,
    per: 'metric of a standard-resolution CloudWatch alarm a month (a metric-math alarm pays for each metric it reads)',
    source: "not confirmed: AWS's page (as above) names the unit, alarm metrics, in its free tier; no page found gives the rate",
  },
  customMetric: {
    symbol: 'P_metric',
    usd: 0.3,
    per: 'CloudWatch custom metric a month (first 10,000; each name and set of dimension values is one)',
    source: `not confirmed on AWS's page (as above); https://signoz.io/guides/cloudwatch-pricing`,
  },
  xrayTrace: {
    symbol: 'P_trace',
    usd: 5,
    per: 'million X-Ray traces recorded',
    source: 'https://aws.amazon.com/de/xray/pricing/ (the German edition of the page: 5 USD per million beyond the first 100,000 a month)',
  },
} as const satisfies Record<string, Price>;

export type Prices = { readonly [K in keyof typeof PRICES]: Price };
