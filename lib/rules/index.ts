export { default as DynamoDBCustomerManagedKey } from './DynamoDBCustomerManagedKey.js';
export { default as IAMNoAwsManagedPolicies } from './IAMNoAwsManagedPolicies.js';
export { default as KMSEncryptionContextRequired } from './KMSEncryptionContextRequired.js';
export { default as KMSNoWildcardActions } from './KMSNoWildcardActions.js';
