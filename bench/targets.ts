/** The bench's targets, by results key: each figure at least, or at most, its value. */
export interface Target {
  readonly at: 'least' | 'most';
  readonly value: number;
}

const least = (value: number): Target => ({ at: 'least', value });
const most = (value: number): Target => ({ at: 'most', value });

export const TARGETS = {
  encrypt1MiBVsRawAesGcm: least(0.85),
  decrypt1MiBVsRawAesGcm: least(0.85),
  encrypt1KiBVsEncryptionSdk: least(5),
  encrypt1KiBVsRawAesGcm: least(0.5),
  batchVsSingleItemsPerSecond: least(40),
  encryptFileVsAge: least(1.25),
  decryptFileVsAge: least(1.25),
  encryptFileVsCopy: least(0.8),
  decryptFileVsCopy: least(0.8),
  encryptStreamInMemoryVsRawAesGcm: least(0.9),
  fileEncryptPeakRssMiB: most(96),
  fileDecryptPeakRssMiB: most(96),
  apiCallsPerFile: most(1),
  dynamoWritesPer10kEncrypts: most(0),
  kmsCallsFor50ConcurrentColdEncrypts: most(1),
  maxBundleBytes: most(600_000),
  maxInitMs: most(120),
  consoleGzipBytes: most(768 * 1024),
  consoleFirstRenderMs: most(1500),
} as const satisfies Record<string, Target>;

export const meets = (value: number, { at, value: bound }: Target): boolean => (at === 'least' ? value >= bound : value <= bound);

/** `target ≥ 40: ✓`, as the tables print a target beside its figure. */
export const targetText = (value: number, target: Target, unit = ''): string =>
  `target ${target.at === 'least' ? '≥' : '≤'} ${target.value.toLocaleString('en-US')}${unit}: ${meets(value, target) ? '✓' : '✗'}`;
