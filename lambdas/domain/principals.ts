/**
 * Principal identity as the key policy sees it. An assumed-role session
 * (`arn:aws:sts::111122223333:assumed-role/Team/session`) acts as its role
 * (`arn:aws:iam::111122223333:role/Team`, whatever the role's path), the way IAM evaluates it.
 */
/** A role session (`assumed-role/Role/session`) ARN. */
export const ROLE_SESSION_PATTERN = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/[^/]+$/;
const IAM_ROLE = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/;

export const PRINCIPAL_ARN_PATTERN = /^arn:aws[a-z-]*:(iam|sts)::\d{12}:[A-Za-z0-9+=,.@_/-]{1,512}$/;

/** The stable identity a principal ARN stands for, used for matching and indexing. */
export function principalIdentity(arn: string): string {
  const role = ROLE_SESSION_PATTERN.exec(arn) ?? IAM_ROLE.exec(arn);
  return role ? `arn:${role[1]}:iam::${role[2]}:role/${role[3]}` : arn;
}

export function isSamePrincipal(a: string, b: string): boolean {
  return principalIdentity(a) === principalIdentity(b);
}

/** A role session (`assumed-role/Role/session`), which a policy must not name: it ends, the role stays. */
export function isRoleSession(arn: string): boolean {
  return ROLE_SESSION_PATTERN.test(arn);
}
