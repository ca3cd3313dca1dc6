/**
 * Azure API Management's `<validate-jwt>` policy as an entrakit bearer policy, so the checks APIM
 * makes at the gateway run in the API itself (locally, in tests, behind any proxy). Every
 * attribute and element is either mapped to the same check or refused by name: a policy that
 * imports is enforced in full, never partly.
 */
import type { BearerPolicy } from './bearer-policy.ts';
import { parseBearerPolicy } from './bearer-policy.ts';
import { parseXmlSubset } from './xml-subset.ts';
import type { XmlElement } from './xml-subset.ts';

const SUPPORTED_ATTRIBUTES = new Set([
  'header-name',
  'require-scheme',
  'failed-validation-httpcode',
  'failed-validation-error-message',
  'require-expiration-time',
  'require-signed-tokens',
  'clock-skew',
  // Names the APIM context variable that receives the parsed token; the adapters hand over the
  // verified principal instead (c.get('principal'), req.auth), so it changes no verdict.
  'output-token-variable-name',
]);
const SUPPORTED_CHILDREN = new Set(['openid-config', 'audiences', 'issuers', 'required-claims']);

/**
 * Reads the one `<validate-jwt>` element of an APIM policy document (or fragment) into a bearer
 * policy. Throws a TypeError listing everything it cannot honour: another header or query
 * parameter, `token-value`, `issuer-signing-keys` and `decryption-keys`, unsigned tokens or tokens
 * without expiry, policy expressions (`@(...)`) and unresolved named values (`{{...}}`).
 */
export function policyFromApimXml(xml: string): BearerPolicy {
  if (typeof xml !== 'string') throw new TypeError('policyFromApimXml: "xml" must be a string');
  const root = parseXmlSubset(xml);
  const found = findAll(root, 'validate-jwt');
  if (found.length !== 1) throw new TypeError(`policyFromApimXml: expected one <validate-jwt> element, found ${found.length}`);
  const element = found[0]!;
  const refused: string[] = [];
  const policy: Record<string, unknown> = {};

  for (const [name, value] of Object.entries(element.attributes)) {
    if (!SUPPORTED_ATTRIBUTES.has(name)) refused.push(`attribute ${name} (${describeUnsupported(name)})`);
    if (/^@[({]/.test(value) || /\{\{[^}]*\}\}/.test(value)) refused.push(`attribute ${name}: policy expressions and named values are resolved by APIM only; give the value itself`);
  }
  const attribute = (name: string): string | undefined => element.attributes[name];

  const headerName = attribute('header-name');
  if (headerName !== undefined && headerName.toLowerCase() !== 'authorization') refused.push(`header-name="${headerName}" (entrakit reads the Authorization header)`);
  const scheme = attribute('require-scheme');
  if (scheme !== undefined && scheme.toLowerCase() !== 'bearer') refused.push(`require-scheme="${scheme}" (entrakit accepts the Bearer scheme)`);
  if (headerName === undefined && !('query-parameter-name' in element.attributes) && !('token-value' in element.attributes)) {
    // APIM needs one of the three; entrakit's adapters read the Authorization header.
    refused.push('no header-name (APIM requires header-name, query-parameter-name or token-value; use header-name="Authorization")');
  }
  if (attribute('require-expiration-time')?.toLowerCase() === 'false') refused.push('require-expiration-time="false" (entrakit always requires exp)');
  if (attribute('require-signed-tokens')?.toLowerCase() === 'false') refused.push('require-signed-tokens="false" (entrakit never accepts unsigned tokens)');
  for (const name of ['require-expiration-time', 'require-signed-tokens']) {
    const value = attribute(name);
    if (value !== undefined && !/^(true|false)$/i.test(value)) refused.push(`${name}="${value}" (must be true or false)`);
  }
  const skew = attribute('clock-skew');
  if (skew !== undefined) {
    if (!/^\d+$/.test(skew)) refused.push(`clock-skew="${skew}" (must be whole seconds)`);
    else policy['clockSkewSec'] = Number(skew);
  }
  const failed: Record<string, unknown> = {};
  const httpCode = attribute('failed-validation-httpcode');
  if (httpCode !== undefined) {
    if (!/^4\d\d$/.test(httpCode)) refused.push(`failed-validation-httpcode="${httpCode}" (must be a 4xx status)`);
    else failed['status'] = Number(httpCode);
  }
  const message = attribute('failed-validation-error-message');
  if (message !== undefined) failed['message'] = message;
  if (Object.keys(failed).length > 0) policy['failedValidation'] = failed;

  for (const child of element.children) {
    if (!SUPPORTED_CHILDREN.has(child.name)) refused.push(`element <${child.name}> (${describeUnsupported(child.name)})`);
  }
  const discoveryUrls = element.children.filter((c) => c.name === 'openid-config').map((c) => {
    const url = c.attributes['url'];
    if (url === undefined || Object.keys(c.attributes).length !== 1 || c.children.length > 0) refused.push('<openid-config> must have exactly the attribute url');
    if (url !== undefined && /\{[^}]*\}/.test(url)) refused.push(`<openid-config url="${url}">: replace the placeholder with the tenant`);
    return url ?? '';
  });
  if (discoveryUrls.length > 0) policy['discoveryUrls'] = discoveryUrls;
  else refused.push('no <openid-config url="..."> (entrakit takes the issuer and its keys from discovery)');

  const audiences = listOf(element, 'audiences', 'audience', refused);
  if (audiences !== undefined) policy['audiences'] = audiences;
  else refused.push('no <audiences> (entrakit requires the API\'s audience)');

  const rules: Array<Record<string, unknown>> = [];
  const issuers = listOf(element, 'issuers', 'issuer', refused);
  // APIM requires iss to be one of these; the discovered issuers still decide the keys.
  if (issuers !== undefined) rules.push({ name: 'iss', match: 'any', values: issuers });
  for (const group of element.children.filter((c) => c.name === 'required-claims')) {
    if (Object.keys(group.attributes).length > 0) refused.push('<required-claims> takes no attributes');
    for (const claim of group.children) {
      if (claim.name !== 'claim') {
        refused.push(`<required-claims> contains <${claim.name}> (only <claim>)`);
        continue;
      }
      const rule = claimRule(claim, refused);
      if (rule) rules.push(rule);
    }
  }
  if (rules.length > 0) policy['requiredClaims'] = rules;

  if (refused.length > 0) throw new TypeError(`policyFromApimXml: cannot enforce this <validate-jwt> locally:\n- ${refused.join('\n- ')}`);
  // Validated as any policy is, so what this returns is accepted by createBearerAuthenticator.
  parseBearerPolicy(policy);
  return policy as BearerPolicy;
}

function claimRule(claim: XmlElement, refused: string[]): Record<string, unknown> | undefined {
  const { name, match = 'all', separator } = claim.attributes;
  for (const attribute of Object.keys(claim.attributes)) {
    if (!['name', 'match', 'separator'].includes(attribute)) refused.push(`<claim> attribute ${attribute}`);
  }
  if (!name) {
    refused.push('<claim> without a name');
    return undefined;
  }
  if (match !== 'all' && match !== 'any') refused.push(`<claim name="${name}" match="${match}"> (match is all or any)`);
  const values = claim.children.map((v) => {
    if (v.name !== 'value' || v.children.length > 0 || Object.keys(v.attributes).length > 0) refused.push(`<claim name="${name}"> contains <${v.name}> (only <value>)`);
    return v.text;
  });
  if (values.length === 0) {
    refused.push(`<claim name="${name}"> has no <value> (a presence-only claim is not supported; list the accepted values)`);
    return undefined;
  }
  return { name, match, values, ...(separator === undefined ? {} : { separator }) };
}

function listOf(element: XmlElement, listName: string, itemName: string, refused: string[]): string[] | undefined {
  const lists = element.children.filter((c) => c.name === listName);
  if (lists.length === 0) return undefined;
  const values: string[] = [];
  for (const list of lists) {
    for (const item of list.children) {
      if (item.name !== itemName || item.children.length > 0) refused.push(`<${listName}> contains <${item.name}> (only <${itemName}>)`);
      else if (/\{\{[^}]*\}\}|^@[({]/.test(item.text)) refused.push(`<${itemName}>${item.text}</${itemName}>: policy expressions and named values are resolved by APIM only`);
      else values.push(item.text);
    }
  }
  return values;
}

function findAll(element: XmlElement, name: string): XmlElement[] {
  return [...(element.name === name ? [element] : []), ...element.children.flatMap((child) => findAll(child, name))];
}

function describeUnsupported(name: string): string {
  switch (name) {
    case 'query-parameter-name':
    case 'token-value':
      return 'entrakit reads the token from the Authorization header only';
    case 'issuer-signing-keys':
      return 'keys come from the openid-config discovery document';
    case 'decryption-keys':
      return 'encrypted tokens are not supported';
    default:
      return 'not a validate-jwt setting entrakit can enforce';
  }
}
