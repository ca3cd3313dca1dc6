import type { BearerPolicy } from 'entrakit/bearer';
import type { ApiConfig } from './config.ts';

export const API_REALM = 'entrakit-api';

/** The bearer policy the configuration describes: the tenant's discovery, the API's audiences. */
export function bearerPolicyFromConfig(config: Pick<ApiConfig, 'discoveryUrl' | 'audiences' | 'allowedTenants'>): BearerPolicy {
  const policy: BearerPolicy = { discoveryUrls: [config.discoveryUrl], audiences: [...config.audiences], realm: API_REALM };
  if (config.allowedTenants) policy.allowedTenants = [...config.allowedTenants];
  return policy;
}
