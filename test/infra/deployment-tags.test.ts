import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { deploymentTagsFromContext } from '../../lib/deployment-tags.js';
import { synthesizeApp } from './synthesize.js';

const TAGS = { team: 'platform', 'cost-centre': 'cc-1234' };

type Resources = Record<string, { Type: string; Properties?: { Tags?: unknown } }>;

/** The resource types every deployment has that CloudFormation can tag. */
const TAGGED_TYPES = [
  'AWS::KMS::Key',
  'AWS::DynamoDB::Table',
  'AWS::Lambda::Function',
  'AWS::IAM::Role',
  'AWS::ApiGateway::RestApi',
  'AWS::ApiGateway::Stage',
  'AWS::Logs::LogGroup',
  'AWS::SNS::Topic',
];

/** Each resource's tags as a record, whatever CloudFormation shape it takes (a list, or a map for SSM-style types). */
function tagsOf(resource: Resources[string]): Record<string, unknown> | undefined {
  const tags = resource.Properties?.Tags;
  if (Array.isArray(tags)) return Object.fromEntries(tags.map(({ Key, Value }: { Key: string; Value: unknown }) => [Key, Value]));
  return tags as Record<string, unknown> | undefined;
}

function expectTagged(resources: Resources): string[] {
  const types = new Set<string>();
  for (const [id, resource] of Object.entries(resources)) {
    const tags = tagsOf(resource);
    if (tags === undefined) continue;
    types.add(resource.Type);
    expect(tags, id).toMatchObject(TAGS);
  }
  return [...types];
}

describe('deployment tags', () => {
  let key: Template;
  let api: Template;

  beforeAll(() => {
    const { keyStack, apiStack } = synthesizeApp('tagged', { tags: TAGS });
    key = Template.fromStack(keyStack);
    api = Template.fromStack(apiStack);
  });

  it('are on the master key, beside its own role tag', () => {
    const [masterKey] = Object.values(key.findResources('AWS::KMS::Key')) as Resources[string][];
    expect(tagsOf(masterKey!)).toEqual({ ...TAGS, 'envelope-api:role': 'master-key' });
  });

  it('are on every taggable resource of both stacks', () => {
    const tagged = new Set([...expectTagged(key.toJSON().Resources), ...expectTagged(api.toJSON().Resources)]);
    expect([...tagged]).toEqual(expect.arrayContaining(TAGGED_TYPES));
  });
});

describe('the tags context value', () => {
  it('is a JSON object on the command line or an object in cdk.json', () => {
    expect(deploymentTagsFromContext('{"team":"platform"}')).toEqual({ team: 'platform' });
    expect(deploymentTagsFromContext({ team: 'platform' })).toEqual({ team: 'platform' });
    expect(deploymentTagsFromContext(undefined)).toEqual({});
  });

  it.each([
    ['team=platform', /must be a JSON object/],
    ['["team"]', /not valid/],
    ['{"aws:team":"x"}', /not valid.*aws:team/s],
    ['{"team":"a|b"}', /must be letters/],
    [JSON.stringify({ ['k'.repeat(129)]: 'v' }), /not valid/],
    [JSON.stringify(Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`t${i}`, 'v']))), /at most 50 tags/],
  ])('refuses %s with KMS tag rules', (value, message) => {
    expect(() => deploymentTagsFromContext(value)).toThrow(message);
  });
});

describe('cdk synth -c tags', () => {
  it('tags the master key of the synthesized app', async () => {
    const outdir = mkdtempSync(join(tmpdir(), 'envelope-tags-'));
    try {
      await promisify(execFile)(process.execPath, ['--import', 'tsx', 'bin/envelope-api.ts'], {
        env: {
          ...process.env,
          CDK_OUTDIR: outdir,
          CDK_CONTEXT_JSON: JSON.stringify({ stage: 'ctx', tags: JSON.stringify(TAGS), 'aws:cdk:bundling-stacks': [] }),
        },
      });
      const template = JSON.parse(readFileSync(join(outdir, 'EnvelopeKey-ctx.template.json'), 'utf8')) as { Resources: Resources };
      const masterKey = Object.values(template.Resources).find(({ Type }) => Type === 'AWS::KMS::Key');
      expect(tagsOf(masterKey!)).toMatchObject(TAGS);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  }, 120_000);
});
