import { join, resolve } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { startKmsEmulator } from './server.js';

/** Runs the KMS emulator alone: `tsx local/kms-emulator/main.ts`. */
const dataDir = resolve(process.env.ENVELOPE_DATA_DIR ?? '.envelope');
await mkdir(dataDir, { recursive: true });
const kms = await startKmsEmulator({
  port: Number(process.env.KMS_PORT ?? 3001),
  dataFile: join(dataDir, 'kms.json'),
  region: process.env.AWS_REGION,
});
console.log(`KMS emulator on ${kms.url}`);
