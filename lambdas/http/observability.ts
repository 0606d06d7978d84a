import { Logger } from '@aws-lambda-powertools/logger';

/** Created once per execution environment and shared by every handler. */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'envelope-api' });
