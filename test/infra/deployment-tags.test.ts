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
  let data: Template;
  let api: Template;
  let account: Template;

  beforeAll(() => {
    const { keyStack, dataStack, apiStack, accountStack } = synthesizeApp('tagged', { tags: TAGS });
    key = Template.fromStack(keyStack);
    data = Template.fromStack(dataStack);
    api = Template.fromStack(apiStack);
    account = Template.fromStack(accountStack!);
  });

  it.each([
    ['master key', () => key, 'master-key'],
    ['storage key', () => data, 'storage-key'],
  ])('are on the %s, beside its own role tag', (_, template, role) => {
    const keys = Object.values(template().findResources('AWS::KMS::Key')) as Resources[string][];
    expect(keys).toHaveLength(1);
    expect(tagsOf(keys[0]!)).toEqual({ ...TAGS, 'envelope-api:role': role });
  });

  it("are on every taggable resource of the stage's three stacks", () => {
    const tagged = new Set([
      ...expectTagged(key.toJSON().Resources),
      ...expectTagged(data.toJSON().Resources),
      ...expectTagged(api.toJSON().Resources),
    ]);
    expect([...tagged]).toEqual(expect.arrayContaining(TAGGED_TYPES));
    expect(expectTagged(data.toJSON().Resources)).toEqual(
      expect.arrayContaining(['AWS::KMS::Key', 'AWS::DynamoDB::Table', 'AWS::Logs::LogGroup', 'AWS::SecretsManager::Secret']),
    );
  });

  it("are not on the region's EnvelopeAccount stack, which belongs to no stage", () => {
    const resources = Object.entries(account.toJSON().Resources as Resources);
    expect(resources.length).toBeGreaterThan(0);
    for (const [id, resource] of resources) expect(JSON.stringify(tagsOf(resource) ?? {}), id).not.toContain('platform');
  });
});

describe('the tags context value', () => {
  it('is a JSON object on the command line or an object in cdk.json', () => {
    expect(deploymentTagsFromContext('{"team":"platform"}')).toEqual({ team: 'platform' });
    expect(deploymentTagsFromContext({ team: 'platform' })).toEqual({ team: 'platform' });
    expect(deploymentTagsFromContext(undefined)).toEqual({});
  });

  const expected = `Expected at most 50 tags with KMS's rules, such as '{"team":"platform"}'.`;
  it.each([
    ['team=platform', `The tags context must be a JSON object such as '{"team":"platform"}' (quoted for the shell), not team=platform.`],
    ['{team:platform}', `The tags context must be a JSON object such as '{"team":"platform"}' (quoted for the shell), not {team:platform}.`],
    ['["team"]', `The tags context must be a JSON object such as '{"team":"platform"}' (quoted for the shell), not ["team"].`],
    ['{"aws:team":"x"}', `The tags context is not valid: tag key "aws:team": must not start with aws:. ${expected}`],
    ['{"team":"a|b"}', `The tags context is not valid: the value of tag "team": must be letters, digits, spaces and _ . : / = + - @. ${expected}`],
    [
      JSON.stringify({ ['k'.repeat(129)]: 'v', team: 7 }),
      `The tags context is not valid: tag key "${'k'.repeat(129)}": Too big: expected string to have <=128 characters; the value of tag "team": Invalid input: expected string, received number. ${expected}`,
    ],
    [
      JSON.stringify(Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`t${i}`, 'v']))),
      `The tags context is not valid: at most 50 tags. ${expected}`,
    ],
  ])('refuses %s on one line, saying what is wrong and what is expected', (value, message) => {
    expect(() => deploymentTagsFromContext(value)).toThrow(message);
    expect(message).not.toContain('\n');
  });
});

describe('cdk synth -c tags', () => {
  it('tags the master key and the storage key of the synthesized app', async () => {
    const outdir = mkdtempSync(join(tmpdir(), 'envelope-tags-'));
    try {
      await promisify(execFile)(process.execPath, ['--import', 'tsx', 'bin/envelope-api.ts'], {
        env: {
          ...process.env,
          CDK_OUTDIR: outdir,
          CDK_CONTEXT_JSON: JSON.stringify({ stage: 'ctx', tags: JSON.stringify(TAGS), 'aws:cdk:bundling-stacks': [] }),
        },
      });
      for (const stack of ['EnvelopeKey-ctx', 'EnvelopeData-ctx']) {
        const template = JSON.parse(readFileSync(join(outdir, `${stack}.template.json`), 'utf8')) as { Resources: Resources };
        const key = Object.values(template.Resources).find(({ Type }) => Type === 'AWS::KMS::Key');
        expect(tagsOf(key!), stack).toMatchObject(TAGS);
      }
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  }, 120_000);
});
