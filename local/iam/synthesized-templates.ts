import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CfnTemplate } from './template-values.js';

/** Where one local deployment of the stacks lives: the stage, account and region it is synthesized for. */
export interface DeploymentTarget {
  readonly stage: string;
  readonly account: string;
  readonly region: string;
  /** Principals of other accounts that may invoke the API: the `callers` context of a deploy. */
  readonly crossAccountCallers?: readonly string[];
}

export interface SynthesizedTemplates {
  readonly key: CfnTemplate;
  readonly data: CfnTemplate;
  readonly api: CfnTemplate;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** What the templates are made from: a change to any of it synthesizes them again. */
const SOURCES = ['lib', 'bin', 'lambdas', 'package-lock.json', 'cdk.json'];
const CACHE_DIR = join(ROOT, 'node_modules', '.cache', 'envelope-api');

/**
 * The templates `cdk synth` produces for the target, exactly as deployed (bundling aside: the
 * rehearsal reads policies, not code). Synthesis takes seconds, so templates are kept in
 * node_modules/.cache keyed by a hash of every source they come from.
 */
export async function synthesizedTemplates(target: DeploymentTarget): Promise<SynthesizedTemplates> {
  const cacheFile = join(CACHE_DIR, `templates-${await sourceHash(target)}.json`);
  try {
    return JSON.parse(await readFile(cacheFile, 'utf8')) as SynthesizedTemplates;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const templates = await synthesize(target);
  await mkdir(CACHE_DIR, { recursive: true });
  const partial = `${cacheFile}.${process.pid}.tmp`;
  await writeFile(partial, JSON.stringify(templates));
  await rename(partial, cacheFile);
  return templates;
}

async function synthesize(target: DeploymentTarget): Promise<SynthesizedTemplates> {
  const [{ App }, { addEnvelopeStage }] = await Promise.all([import('aws-cdk-lib'), import('../../lib/envelope-app.js')]);
  const outdir = await mkdtemp(join(tmpdir(), 'envelope-local-synth-'));
  try {
    const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
    const { keyStack, dataStack, apiStack } = addEnvelopeStage(app, target.stage, {
      env: { account: target.account, region: target.region },
      crossAccountCallers: target.crossAccountCallers,
    });
    const assembly = app.synth();
    const read = (name: string) => assembly.getStackByName(name).template as CfnTemplate;
    return { key: read(keyStack.stackName), data: read(dataStack.stackName), api: read(apiStack.stackName) };
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}

async function sourceHash(target: DeploymentTarget): Promise<string> {
  const hash = createHash('sha256').update(JSON.stringify(target));
  for (const file of (await Promise.all(SOURCES.map((source) => filesUnder(join(ROOT, source))))).flat().sort()) {
    hash.update(relative(ROOT, file)).update(await readFile(file));
  }
  return hash.digest('hex').slice(0, 32);
}

async function filesUnder(path: string): Promise<string[]> {
  try {
    const entries = await readdir(path, { withFileTypes: true, recursive: true });
    return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') return [path];
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}
