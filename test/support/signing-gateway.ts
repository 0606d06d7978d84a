import { loadPrincipals } from '../../local/gateway/principals.js';
import { type LocalGateway, type LocalGatewayOptions, startLocalGateway } from '../../local/gateway/server.js';
import { SigV4Verifier } from '../../local/gateway/sigv4-verifier.js';
import { localDeployment } from './deployed-api.js';

/**
 * The deployed API's methods over the given handlers, behind a gateway that checks signatures against
 * the local principals and evaluates no IAM policy: for tests of the functions themselves (faults,
 * timeouts, tracing), not of who may call them.
 */
export async function startSigningGateway(handlers: LocalGatewayOptions['handlers']): Promise<LocalGateway> {
  const { api } = await localDeployment();
  return startLocalGateway({ api, handlers, verifier: new SigV4Verifier(await loadPrincipals(), 'us-east-1'), port: 0 });
}
