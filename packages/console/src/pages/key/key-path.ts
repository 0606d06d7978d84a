/** The API path of a key, or of one of its sub-resources (`/grants`, `/rotate`, ...). */
export const keyPath = (keyId: string, suffix = ''): string => `/v1/keys/${encodeURIComponent(keyId)}${suffix}`;
