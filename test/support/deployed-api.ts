import { deployedApiOf, type DeployedApi } from '../../local/gateway/deployed-api.js';
import { apiPoliciesOf, type DeployedPolicies } from '../../local/iam/deployed-policies.js';
import { synthesizedTemplates, type DeploymentTarget, type SynthesizedTemplates } from '../../local/iam/synthesized-templates.js';
import { LOCAL_ACCOUNT, LOCAL_API_ID, LOCAL_STAGE, LOCAL_TABLE_NAME } from '../../local/runtime.js';

/** As the local runtime deploys by default: no callers of other accounts. */
export const LOCAL_TARGET: DeploymentTarget = { stage: LOCAL_STAGE, account: LOCAL_ACCOUNT, region: 'us-east-1', crossAccountCallers: [] };

/**
 * The API stack's policies and REST API as the local runtime deploys them, without starting it: for
 * tests of the gateway alone. The keys' ARNs only name resources; nothing here calls KMS.
 */
export async function localDeployment(alterTemplates?: (templates: SynthesizedTemplates) => SynthesizedTemplates): Promise<{
  readonly policies: DeployedPolicies;
  readonly api: DeployedApi;
}> {
  const synthesized = await synthesizedTemplates(LOCAL_TARGET);
  const templates = alterTemplates?.(structuredClone(synthesized)) ?? synthesized;
  const key = (id: string) => `arn:aws:kms:${LOCAL_TARGET.region}:${LOCAL_ACCOUNT}:key/${id}`;
  const policies = apiPoliciesOf(templates, LOCAL_TARGET, {
    masterKeyArn: key('00000000-0000-4000-8000-00000000000a'),
    storageKeyArn: key('00000000-0000-4000-8000-00000000000b'),
    tableName: LOCAL_TABLE_NAME,
    apiId: LOCAL_API_ID,
  });
  return { policies, api: deployedApiOf(policies) };
}
