/** The one deployment the access report is made for: the stage, account, region and names the questions use. */
import { dataKeyTableName } from '../../lib/naming.js';
import type { LocalResources } from '../../local/iam/deployed-policies.js';
import type { DeploymentTarget } from '../../local/iam/synthesized-templates.js';

export const ACCOUNT = '111122223333';
/** Another account, whose principals the `callers` context may list. */
export const OTHER_ACCOUNT = '444455556666';
export const REGION = 'us-east-1';

/** Listed in the `callers` context: one principal of another account, and one of this account (which the API's policy must not admit). */
export const LISTED_CALLERS = {
  otherAccount: `arn:aws:iam::${OTHER_ACCOUNT}:role/listed-caller`,
  thisAccount: `arn:aws:iam::${ACCOUNT}:role/listed-caller`,
} as const;

/** The key stack's `KeyAdminPrincipalArns`. */
export const KEY_ADMINISTRATORS = `arn:aws:iam::${ACCOUNT}:role/key-administrators`;

/** bin/envelope-api.ts's default stage, with both kinds of listed caller, so that every statement the stacks can have is synthesized. */
export const REVIEW_TARGET: DeploymentTarget = {
  stage: 'dev',
  account: ACCOUNT,
  region: REGION,
  crossAccountCallers: [LISTED_CALLERS.otherAccount, LISTED_CALLERS.thisAccount],
};

/** Physical ids CloudFormation would give: any stable values, since no policy names them literally. */
export const REVIEW_RESOURCES: LocalResources = {
  masterKeyArn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/00000000-0000-4000-8000-00000000000a`,
  storageKeyArn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/00000000-0000-4000-8000-00000000000b`,
  tableName: dataKeyTableName(REVIEW_TARGET.stage),
  apiId: 'a1b2c3d4e5',
};

/** The key stack's parameters that have no default. */
export const KEY_STACK_PARAMETERS = { KeyAdminPrincipalArns: [KEY_ADMINISTRATORS] };
