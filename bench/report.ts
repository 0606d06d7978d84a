/**
 * A run's figures as Markdown tables, each beside its target: printed by `npm run bench` and, from
 * bench/results.json, the sections of docs/reference/performance.md. A figure the run did not
 * write shows as not measured yet.
 */
import type { Section } from '../scripts/reference-docs/markdown.js';
import { code, table } from '../scripts/reference-docs/markdown.js';
import {
  ASSUMPTIONS,
  billedMs,
  type CostLine,
  kmsDirectPerMillion,
  monthlyAtRest,
  monthlyTraffic,
  perMillionItems,
  type RequestCostInputs,
  requestCost,
  total,
} from './cost.js';
import { costInputs, type Deployment, MEMORY_MB } from './cost-inputs.js';
import type { HandlerProfileName } from './handler-time.js';
import { round, type Spread } from './measure.js';
import { PRICES, PRICES_CHECKED, PRICES_REGION } from './prices.js';
import type { DeepPartial, StoredResults } from './results.js';
import { type Target, TARGETS, targetText } from './targets.js';

export const NOT_MEASURED = 'not measured yet';

const MIB = 1024 * 1024;
const fixed = (value: number | undefined, digits = 2, unit = ''): string => (value === undefined ? NOT_MEASURED : `${round(value, digits)}${unit}`);
const withTarget = (value: number | undefined, target: Target, digits = 2, unit = ''): string =>
  value === undefined ? NOT_MEASURED : `${fixed(value, digits, unit)} (${targetText(value, target)})`;
const spreadText = (s: DeepPartial<Spread> | undefined, digits: number, unit: string): string =>
  s?.min === undefined || s.median === undefined || s.max === undefined
    ? NOT_MEASURED
    : `${round(s.min, digits)} / ${round(s.median, digits)} / ${round(s.max, digits)}${unit}`;
const usd = (value: number | undefined): string => {
  if (value === undefined) return NOT_MEASURED;
  return value >= 0.995 || value === 0 ? `$${value.toFixed(2)}` : `$${value.toPrecision(2)}`;
};

function inProcess(r: StoredResults): Section {
  const t = r.throughputMBps;
  const mb = (value: number | undefined) => fixed(value, 0, ' MB/s');
  const row = (label: string, key: 'encrypt1MiB' | 'decrypt1MiB' | 'encrypt1KiB' | 'decrypt1KiB', ratio: string) => [
    label,
    mb(t?.envelope?.[key]),
    mb(t?.raw?.[key]),
    mb(t?.encryptionSdk?.[key]),
    ratio,
  ];
  return {
    heading: 'Encrypt and decrypt in one process',
    text: table(
      ['operation', 'Envelope API', 'raw AES-256-GCM', 'Encryption SDK (caching)', 'ratio'],
      [
        row('encrypt 1 MiB', 'encrypt1MiB', withTarget(r.encrypt1MiBVsRawAesGcm, TARGETS.encrypt1MiBVsRawAesGcm, 2, '× raw')),
        row('decrypt 1 MiB', 'decrypt1MiB', withTarget(r.decrypt1MiBVsRawAesGcm, TARGETS.decrypt1MiBVsRawAesGcm, 2, '× raw')),
        row(
          'encrypt 1 KiB',
          'encrypt1KiB',
          `${withTarget(r.encrypt1KiBVsEncryptionSdk, TARGETS.encrypt1KiBVsEncryptionSdk, 2, '× SDK')}, ${withTarget(r.encrypt1KiBVsRawAesGcm, TARGETS.encrypt1KiBVsRawAesGcm, 2, '× raw')}`,
        ),
        row('decrypt 1 KiB', 'decrypt1KiB', fixed(r.decrypt1KiBVsEncryptionSdk, 2, '× SDK')),
      ],
    ),
  };
}

function calls(r: StoredResults): Section {
  type Counts = DeepPartial<{ kms: number; dynamoDbReads: number; dynamoDbWrites: number }> | undefined;
  const counted = (c: Counts) =>
    c?.kms === undefined ? NOT_MEASURED : `${c.kms} KMS, ${c.dynamoDbReads} DynamoDB reads, ${c.dynamoDbWrites} writes`;
  const c = r.calls;
  return {
    heading: 'KMS and DynamoDB calls',
    text: table(
      ['work', 'cache on', 'cache off', 'Encryption SDK (caching)'],
      [
        ['10,000 encrypts, one key', counted(c?.cacheOn?.encrypts), counted(c?.cacheOff?.encrypts), counted(c?.encryptionSdk?.encrypts)],
        [
          'DynamoDB writes per 10,000 encrypts',
          withTarget(r.dynamoWritesPer10kEncryptsCached, TARGETS.dynamoWritesPer10kEncrypts, 0),
          withTarget(r.dynamoWritesPer10kEncryptsUncached, TARGETS.dynamoWritesPer10kEncrypts, 0),
          '',
        ],
        ['10,000 decrypts of 100 ciphertexts', counted(c?.cacheOn?.decrypts), counted(c?.cacheOff?.decrypts), counted(c?.encryptionSdk?.decrypts)],
        [
          '50 concurrent cold encrypts',
          `${counted(c?.coldConcurrent50)}; KMS: ${withTarget(r.kmsCallsFor50ConcurrentColdEncrypts, TARGETS.kmsCallsFor50ConcurrentColdEncrypts, 0)}`,
          '',
          '',
        ],
      ],
    ),
  };
}

function http(r: StoredResults): Section {
  const h = r.http;
  return {
    heading: 'Over HTTP',
    text: table(
      ['through the local gateway (SigV4, IAM), 16 clients', 'figure'],
      [
        [
          'single 1 KiB encrypts',
          h?.requestsPerSecond === undefined
            ? NOT_MEASURED
            : `${fixed(h.requestsPerSecond, 0)} req/s, p50 ${fixed(h.p50Ms, 1)} ms, p99 ${fixed(h.p99Ms, 1)} ms`,
        ],
        ['100-item batches', fixed(h?.batchItemsPerSecond, 0, ' items/s')],
        ['batch items per second over single items, per round (min / median / max)', spreadText(h?.batchVsSingle, 2, '×')],
        ['100-item batches vs singles, the median round', withTarget(r.batchVsSingleItemsPerSecond, TARGETS.batchVsSingleItemsPerSecond, 2, '×')],
        ['1,000-item batches, the crypto handler on one core', fixed(r.batchItemsPerSecondPerCore1000, 0, ' items/s')],
        [
          'the most the ratio can be on one core for the function: its handler alone, as if gateway and client cost nothing',
          fixed(batchCeiling(r), 1, '×'),
        ],
      ],
    ),
  };
}

/**
 * 100-item batches' items per second of the crypto handler's own time over the singles' requests
 * per second over HTTP: what the batch ratio would be if nothing but the handler ran on its core.
 */
function batchCeiling(r: StoredResults): number | undefined {
  const batch = r.handlers?.profiles?.batchEncrypt100;
  const singles = r.http?.requestsPerSecond;
  if (batch?.items === undefined || batch.msPerRequest === undefined || singles === undefined) return undefined;
  return batch.items / (batch.msPerRequest / 1000) / singles;
}

/** The row of a tool whose name alone would not say what it stands for. */
const TOOL_LABELS: Readonly<Record<string, string>> = { cp: "cp (the disk's limit)" };

function files(r: StoredResults): Section {
  const f = r.files;
  const times = (s: DeepPartial<Spread> | undefined) =>
    s?.median === undefined || f?.fileMiB === undefined ? NOT_MEASURED : `${spreadText(s, 2, ' s')} (${round(f.fileMiB / s.median, 0)} MiB/s)`;
  const tools = Object.entries(f?.seconds ?? {});
  const memory = f?.inMemoryMibPerSecond;
  const speed = (s: DeepPartial<Spread> | undefined) => spreadText(s, 0, ' MiB/s');
  const heading = f?.fileMiB === undefined ? 'file' : `${f.fileMiB} MiB file`;
  const disk = table(
    [`${heading}, disk to disk, until synced`, 'encrypt: min / median / max', 'decrypt: min / median / max'],
    [
      ...(tools.length === 0
        ? [['each tool', NOT_MEASURED, NOT_MEASURED]]
        : tools.map(([name, s]) => [TOOL_LABELS[name] ?? name, times(s?.encrypt), times(s?.decrypt)])),
      [
        "envelope vs age (median of the rounds' ratios)",
        withTarget(r.encryptFileVsAge, TARGETS.encryptFileVsAge, 2, '×'),
        withTarget(r.decryptFileVsAge, TARGETS.decryptFileVsAge, 2, '×'),
      ],
      [
        "envelope vs cp (median of the rounds' ratios)",
        withTarget(r.encryptFileVsCopy, TARGETS.encryptFileVsCopy, 2, '×'),
        withTarget(r.decryptFileVsCopy, TARGETS.decryptFileVsCopy, 2, '×'),
      ],
      [
        'peak RSS of the CLI, the highest round',
        withTarget(r.fileEncryptPeakRssMiB, TARGETS.fileEncryptPeakRssMiB, 0, ' MiB'),
        withTarget(r.fileDecryptPeakRssMiB, TARGETS.fileDecryptPeakRssMiB, 0, ' MiB'),
      ],
      [
        'API calls per file',
        withTarget(r.apiCallsPerFile?.encrypt, TARGETS.apiCallsPerFile, 0),
        withTarget(r.apiCallsPerFile?.decrypt, TARGETS.apiCallsPerFile, 0),
      ],
    ],
  );
  const inMemory = table(
    ['encrypt stream, memory to nowhere', 'min / median / max', "envelope vs it (median of the rounds' ratios)"],
    [
      ['envelope', speed(memory?.envelopeEncrypt), ''],
      [
        'raw AES-256-GCM (the cryptographic limit)',
        speed(memory?.rawEncrypt),
        withTarget(r.encryptStreamInMemoryVsRawAesGcm, TARGETS.encryptStreamInMemoryVsRawAesGcm, 2, '×'),
      ],
      [
        'Encryption SDK encryptStream (committing, non-signing)',
        speed(memory?.encryptionSdkEncrypt),
        fixed(r.encryptStreamInMemoryVsEncryptionSdk, 2, '×'),
      ],
    ],
  );
  return { heading: 'Files', text: `${disk}\n\n${inMemory}\n\n${rewrapTable(r)}` };
}

function rewrapTable(r: StoredResults): string {
  const w = r.rewrap;
  const size = w?.fileMiB === undefined ? 'a file' : `a ${w.fileMiB} MiB file`;
  const bytes = r.rewrapS3Object1GiBBytesTransferred;
  return table(
    [`after a rotation, ${size}`, 'min / median / max, or in all'],
    [
      ['`rewrapFile` into another file, until synced (by its header: the body copied as it is)', spreadText(w?.fileSeconds, 2, ' s')],
      ['`cp` of the same file, until synced (the floor of any rewrite)', spreadText(w?.copySeconds, 2, ' s')],
      ['`rewrapS3Object` of the same file in S3 (moto_server): bytes both ways', bytes === undefined ? NOT_MEASURED : fixed(bytes / MIB, 1, ' MiB')],
    ],
  );
}

function functions(r: StoredResults): Section {
  const bundles = Object.entries(r.bundles ?? {});
  return {
    heading: 'Functions: bundles and cold starts',
    text: table(
      ['function', 'bundle', 'init (fresh process)'],
      [
        ...bundles.map(([name, b]) => [name, fixed(b?.bytes === undefined ? undefined : b.bytes / 1024, 1, ' KiB'), fixed(b?.initMs, 1, ' ms')]),
        [
          'the highest',
          r.maxBundleBytes === undefined
            ? NOT_MEASURED
            : `${round(r.maxBundleBytes / 1024, 1)} KiB (${targetText(r.maxBundleBytes, TARGETS.maxBundleBytes, ' bytes')})`,
          withTarget(r.maxInitMs, TARGETS.maxInitMs, 1, ' ms'),
        ],
      ],
    ),
  };
}

function webConsole(r: StoredResults): Section {
  const assets = Object.entries(r.console?.assets ?? {});
  const render = r.console?.firstRenderMs;
  const sizes = table(
    ['file', 'as served', 'gzipped'],
    [
      ...assets.map(([name, a]) => [name, kib(a?.bytes), kib(a?.gzipBytes)]),
      [
        'all',
        '',
        r.consoleGzipBytes === undefined
          ? NOT_MEASURED
          : `${kib(r.consoleGzipBytes)} (${targetText(r.consoleGzipBytes, TARGETS.consoleGzipBytes, ' bytes')})`,
      ],
    ],
  );
  const renders = table(
    ['page', 'first render, median (min-max)'],
    [
      [
        'keys, against npm start, nothing cached',
        `${withTarget(r.consoleFirstRenderMs, TARGETS.consoleFirstRenderMs, 0, ' ms')} (${fixed(render?.min, 0)}-${fixed(render?.max, 0, ' ms')})`,
      ],
    ],
  );
  return { heading: 'Web console', text: `${sizes}\n\n${renders}` };
}

const kib = (bytes: number | undefined) => fixed(bytes === undefined ? undefined : bytes / 1024, 1, ' KiB');

/** The requests priced, as the cost table's columns. */
const PRICED: readonly { readonly profile: HandlerProfileName; readonly label: string }[] = [
  { profile: 'singleEncrypt', label: 'single 1 KiB encrypts' },
  { profile: 'singleDecrypt', label: 'single decrypts (and files decrypted)' },
  { profile: 'batchEncrypt100', label: 'items of 100-item batches' },
  { profile: 'dataKey', label: 'data keys (files encrypted)' },
];

function requestCosts(r: StoredResults, deployment: Deployment): Section {
  const inputs = PRICED.map(({ profile }) => costInputs(r, profile, deployment));
  /** A row of the priced requests' figures, not measured yet where a run lacks their inputs. */
  const row = (label: string, figure: (i: RequestCostInputs) => string, kmsDirect = '') => [
    label,
    ...inputs.map((i) => (i === undefined ? NOT_MEASURED : figure(i))),
    kmsDirect,
  ];
  // The same components whatever the inputs: named from any request's lines.
  const components = requestCost(EMPTY_INPUTS).map((line) => line.component);
  const intro = [
    `Every request priced is the crypto function's (${MEMORY_MB} MB, \`lib/functions.ts\`); its handler's time was measured in one thread, as the local gateway invokes it.`,
    'A file costs one data key to encrypt and one single decrypt to decrypt, whatever its size.',
    'The formulas: [Performance](../performance.md#cost-per-million-requests).',
  ].join(' ');
  const rows = [
    row('handler time per request, measured / billed with the audit write', (i) => `${round(i.handlerMs, 2)} / ${billedMs(i)} ms`),
    row('audit record / other log bytes per request', (i) => `${round(i.auditBytes, 0)} / ${round(i.logBytes, 0)}`),
    row('KMS calls / DynamoDB reads per item', (i) => `${i.kmsCalls / i.items} / ${i.dynamoDbReads / i.items}`, '1 / 0'),
    ...components.map((component, index) =>
      row(component, (i) => usd(requestCost(i)[index]!.usd / i.items), component === 'KMS' ? usd(kmsDirectPerMillion()) : ''),
    ),
    row('**total**', (i) => `**${usd(perMillionItems(i))}**`, `**${usd(kmsDirectPerMillion())}**`),
  ];
  return {
    heading: 'Cost per million operations',
    text: `${intro}\n\n${table(['per million', ...PRICED.map(({ label }) => label), 'KMS Encrypt or Decrypt, called directly'], rows)}`,
  };
}

const EMPTY_INPUTS: RequestCostInputs = { items: 1, handlerMs: 0, memoryMb: 0, auditBytes: 0, logBytes: 0, kmsCalls: 0, dynamoDbReads: 0 };

function monthlyCosts(r: StoredResults, deployment: Deployment): Section {
  const { resources } = deployment;
  const metrics = r.handlers?.customMetrics;
  const atRest = monthlyAtRest(resources, metrics);
  const singles = costInputs(r, 'singleEncrypt', deployment);
  const traffic = singles === undefined ? undefined : monthlyTraffic(singles, resources);
  const rows = (lines: readonly CostLine[]) => lines.map(({ component, usd: value }) => [component, usd(value)]);
  return {
    heading: 'Cost of a deployment per month',
    text: [
      `Counted in the synthesized stacks; custom metrics as the bench's requests published them (the crypto routes it called: callers of other routes publish more). Log retention at the stacks' defaults: ${resources.auditRetentionDays} days for the audit trail, ${resources.logRetentionDays} for the others.`,
      table(
        ['at rest', 'a month'],
        [
          ...rows(atRest),
          ...(metrics === undefined ? [['Custom metrics published', NOT_MEASURED]] : []),
          ['**total**', `**${usd(total(atRest))}**${metrics === undefined ? ' (without custom metrics)' : ''}`],
        ],
      ),
      table(
        [`${ASSUMPTIONS.monthlyRequests.toLocaleString('en-US')} single encrypts a month, evenly spread`, 'a month'],
        traffic === undefined
          ? [['requests, traces and logs', NOT_MEASURED]]
          : [...rows(traffic), ['**total, with the deployment at rest**', `**${usd(total(traffic) + total(atRest))}**`]],
      ),
    ].join('\n\n'),
  };
}

function prices(): Section {
  const assumptions = [
    [
      'the wait for the audit write (PutLogEvents) in each request',
      `${ASSUMPTIONS.auditWriteMs} ms`,
      'not measured: the local runtime appends to a file',
    ],
    [
      'X-Ray sampling',
      `${ASSUMPTIONS.reservoirPerSecond} request each second, then ${ASSUMPTIONS.tracedFraction * 100}% of the others`,
      "the default sampling rule, as https://awsnegotiations.com/x-ray-pricing-strategy.html describes it and the X-Ray SDK for Ruby's DEFAULT_RULES hold it (https://rubydoc.info/gems/aws-xray-sdk/0.9.0/XRay/DefaultSampler); no AWS guide page on it was found",
    ],
  ];
  return {
    heading: 'Prices',
    text: [
      `AWS's public prices in ${PRICES_REGION}, read on ${PRICES_CHECKED} (${code('bench/prices.ts')}), free tiers left out:`,
      table(
        ['symbol', 'price', 'per', 'source'],
        Object.values(PRICES).map((p) => [code(p.symbol), Number.isInteger(p.usd * 100) ? `$${p.usd.toFixed(2)}` : `$${p.usd}`, p.per, p.source]),
      ),
      'What the model assumes where the bench cannot measure:',
      table(['assumption', 'value', 'why'], assumptions),
    ].join('\n\n'),
  };
}

export function performanceSections(results: StoredResults, deployment: Deployment): Section[] {
  return [
    inProcess(results),
    calls(results),
    http(results),
    files(results),
    functions(results),
    webConsole(results),
    requestCosts(results, deployment),
    monthlyCosts(results, deployment),
    prices(),
  ];
}
