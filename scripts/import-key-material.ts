import { constants, createCipheriv, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { DescribeKeyCommand, GetParametersForImportCommand, ImportKeyMaterialCommand, KMSClient } from '@aws-sdk/client-kms';
import { Command } from 'commander';

/**
 * Imports 256-bit key material into a KMS key created with Origin EXTERNAL (bring your own key):
 *
 *   npx tsx scripts/import-key-material.ts --key <arn|alias> (--material FILE | --generate-to FILE)
 *     [--valid-to ISO-DATE] [--wrapping RSAES_OAEP_SHA_256]
 *
 * The AWS SDK's default credentials, Region and endpoint apply (AWS_ENDPOINT_URL_KMS points it at
 * the local emulator). The material is wrapped here, under a fresh RSA_4096 wrapping key of KMS's.
 */

export const WRAPPING_ALGORITHMS = ['RSA_AES_KEY_WRAP_SHA_256', 'RSAES_OAEP_SHA_256'] as const;
export type WrappingAlgorithm = (typeof WRAPPING_ALGORITHMS)[number];

/** A SYMMETRIC_DEFAULT key's imported material is a 256-bit key. */
export const MATERIAL_BYTES = 32;
const WRAPPING_KEY_SPEC = 'RSA_4096';
/** RFC 5649's alternative initial value: AES key wrap with padding. */
const KEY_WRAP_PAD_IV = Buffer.from('A65959A6', 'hex');

/**
 * Wraps key material under a GetParametersForImport public key (DER SubjectPublicKeyInfo), as
 * "Step 3: Encrypt the key material" describes: RSAES_OAEP_SHA_256 encrypts it with RSA-OAEP
 * (SHA-256); RSA_AES_KEY_WRAP_SHA_256 wraps it with a fresh AES-256 key, AES key wrap with padding
 * (RFC 5649), and puts that AES key, RSA-OAEP (SHA-256) encrypted, in front.
 */
export function wrapKeyMaterial(material: Buffer, publicKeyDer: Uint8Array, algorithm: WrappingAlgorithm): Buffer {
  const publicKey = createPublicKey({ key: Buffer.from(publicKeyDer), format: 'der', type: 'spki' });
  const encryptUnderPublicKey = (data: Buffer) =>
    publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, data);
  if (algorithm === 'RSAES_OAEP_SHA_256') return encryptUnderPublicKey(material);
  const aesKey = randomBytes(32);
  try {
    const cipher = createCipheriv('id-aes256-wrap-pad', aesKey, KEY_WRAP_PAD_IV);
    return Buffer.concat([encryptUnderPublicKey(aesKey), cipher.update(material), cipher.final()]);
  } finally {
    aesKey.fill(0);
  }
}

export interface ImportRequest {
  /** Key id, key ARN, alias name or alias ARN. */
  readonly key: string;
  readonly material: Buffer;
  readonly validTo?: Date;
  readonly wrapping: WrappingAlgorithm;
}

/** Imports the material into the key and returns the key's ARN and the material's id. */
export async function importKeyMaterial(kms: KMSClient, request: ImportRequest): Promise<{ keyArn: string; keyMaterialId?: string }> {
  const keyArn = await externalKeyArn(kms, request.key);
  const parameters = await kms.send(
    new GetParametersForImportCommand({ KeyId: keyArn, WrappingAlgorithm: request.wrapping, WrappingKeySpec: WRAPPING_KEY_SPEC }),
  );
  const expiration = request.validTo
    ? { ExpirationModel: 'KEY_MATERIAL_EXPIRES' as const, ValidTo: request.validTo }
    : { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' as const };
  const imported = await kms.send(
    new ImportKeyMaterialCommand({
      KeyId: keyArn,
      ImportToken: parameters.ImportToken,
      EncryptedKeyMaterial: wrapKeyMaterial(request.material, parameters.PublicKey!, request.wrapping),
      ...expiration,
    }),
  );
  return { keyArn, ...(imported.KeyMaterialId && { keyMaterialId: imported.KeyMaterialId }) };
}

/** The import operations take a key id or ARN only: an alias is resolved first, and the key must be made for imported material. */
async function externalKeyArn(kms: KMSClient, key: string): Promise<string> {
  const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId: key }));
  if (KeyMetadata?.Origin !== 'EXTERNAL') {
    throw new UsageError(
      `${KeyMetadata?.Arn ?? key} has origin ${KeyMetadata?.Origin}; key material can be imported only into a key created with Origin EXTERNAL.`,
    );
  }
  return KeyMetadata.Arn!;
}

/** A mistake of the caller's, reported as its message alone. */
export class UsageError extends Error {}

interface Options {
  readonly key?: string;
  readonly material?: string;
  readonly generateTo?: string;
  readonly validTo?: string;
  readonly wrapping: string;
}

function parseArguments(argv: readonly string[]): Options {
  const program = new Command('import-key-material')
    .description('Import 256-bit key material into a KMS key created with Origin EXTERNAL.')
    .option('--key <key>', 'the KMS key: key id, key ARN, alias name or alias ARN')
    .option('--material <file>', 'a file holding exactly 32 bytes of key material')
    .option('--generate-to <file>', 'generate fresh key material and write it to this new file (mode 0600)')
    .option('--valid-to <iso-date>', 'when the imported material expires (at most 365 days away); never, when absent')
    .option('--wrapping <algorithm>', `${WRAPPING_ALGORITHMS.join(' or ')}`, WRAPPING_ALGORITHMS[0])
    .parse([...argv]);
  return program.opts() as Options;
}

function checkedRequest(options: Options): { key: string; validTo?: Date; wrapping: WrappingAlgorithm } {
  if (!options.key) throw new UsageError('--key is required.');
  if ((options.material === undefined) === (options.generateTo === undefined))
    throw new UsageError('Give exactly one of --material FILE and --generate-to FILE.');
  if (!(WRAPPING_ALGORITHMS as readonly string[]).includes(options.wrapping)) {
    throw new UsageError(`--wrapping must be one of ${WRAPPING_ALGORITHMS.join(', ')}, not ${options.wrapping}.`);
  }
  const validTo = options.validTo === undefined ? undefined : new Date(options.validTo);
  if (validTo !== undefined && Number.isNaN(validTo.getTime())) throw new UsageError(`--valid-to ${options.validTo} is not an ISO date.`);
  return { key: options.key, ...(validTo && { validTo }), wrapping: options.wrapping as WrappingAlgorithm };
}

async function readMaterial(file: string): Promise<Buffer> {
  const material = await readFile(file).catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`Cannot read ${file}: ${error.code ?? error.message}.`);
  });
  if (material.length !== MATERIAL_BYTES)
    throw new UsageError(`${file} holds ${material.length} bytes; key material must be exactly ${MATERIAL_BYTES} bytes.`);
  return material;
}

/** Fresh material, written to a new file only the owner can read, before it goes anywhere else. */
async function generateMaterial(file: string): Promise<Buffer> {
  const material = randomBytes(MATERIAL_BYTES);
  await writeFile(file, material, { mode: 0o600, flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(
      error.code === 'EEXIST' ? `${file} already exists; refusing to overwrite it.` : `Cannot write ${file}: ${error.code ?? error.message}.`,
    );
  });
  return material;
}

/** Runs the command line; the exit code is the answer. */
export async function main(argv: readonly string[], kms: KMSClient = new KMSClient({})): Promise<number> {
  let material: Buffer | undefined;
  try {
    const options = parseArguments(argv);
    const request = checkedRequest(options);
    material = options.generateTo === undefined ? await readMaterial(options.material!) : await generateMaterial(options.generateTo);
    const { keyArn, keyMaterialId } = await importKeyMaterial(kms, { ...request, material });
    if (options.generateTo !== undefined) {
      console.log(
        `${options.generateTo} is now the only copy of this key material. Keep it safe: if the material in KMS expires or is deleted, only this file can bring back what ${keyArn} encrypted.`,
      );
    }
    console.log(
      `Imported key material${keyMaterialId ? ` ${keyMaterialId}` : ''} into ${keyArn}, ${request.validTo ? `valid to ${request.validTo.toISOString()}` : 'not expiring'}.`,
    );
    return 0;
  } catch (error) {
    console.error(`import-key-material: ${describe(error)}`);
    return 1;
  } finally {
    material?.fill(0);
    kms.destroy();
  }
}

/** One line: an AWS error by its name and message, anything else by its message. */
function describe(error: unknown): string {
  if (error instanceof UsageError) return error.message;
  if (error instanceof Error) return `${error.name}: ${error.message}`.replace(/\s+/g, ' ');
  return String(error);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv);
}
