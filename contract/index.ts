/** The API's contract, shared by the service, its infrastructure, the local runtime and the client. No dependencies. */
export * from './errors.js';
export * from './gateway-response-template.js';
export * from './limits.js';
export * from './routes.js';
export * from './storage.js';
export * from './types.js';
