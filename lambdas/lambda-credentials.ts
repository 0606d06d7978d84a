import { fromEnv } from '@aws-sdk/credential-provider-env';

/**
 * Bundled in place of `@aws-sdk/credential-provider-node` (see EnvelopeFunction): Lambda hands a
 * function its role's credentials in the environment, so the rest of the provider chain (SSO,
 * profiles, instance metadata and the STS client they pull in) is dead weight in every bundle.
 */
export const defaultProvider = fromEnv;
