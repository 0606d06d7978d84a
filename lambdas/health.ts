import { jsonResponse } from './http/responses.js';

/** Unauthenticated liveness probe: touches no dependency and reveals nothing. */
export const handler = async () => jsonResponse(200, { status: 'ok' });
