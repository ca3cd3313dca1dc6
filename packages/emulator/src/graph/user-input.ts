import type { User } from '../directory/types.ts';
import { GraphError } from './graph-error.ts';
import { unknownProperty } from './request-body.ts';

/** Properties a Graph user write may set, with how each is checked. */
const STRINGS = ['displayName', 'givenName', 'surname', 'jobTitle', 'mail', 'mailNickname', 'department', 'companyName', 'officeLocation', 'mobilePhone', 'usageLocation', 'employeeId', 'preferredLanguage'] as const;
const WRITABLE = new Set<string>([...STRINGS, 'accountEnabled', 'userPrincipalName', 'passwordProfile', 'userType', 'businessPhones', 'passwordPolicies']);
/** Graph's required properties of POST /users. */
const REQUIRED_ON_CREATE = ['accountEnabled', 'displayName', 'mailNickname', 'passwordProfile', 'userPrincipalName'] as const;

/** What a user write asks for: the new record and, when given, the new password. */
export interface UserChange {
  user: User;
  password?: string;
}

function invalid(property: string): GraphError {
  return new GraphError(400, 'Request_BadRequest', `Invalid value specified for property '${property}' of resource 'User'.`, { details: [{ code: 'InvalidValue', target: property }] });
}

/**
 * Entra's default password policy: 8 to 256 characters with three of lower case, upper case,
 * digits and symbols.
 */
export function meetsPasswordPolicy(password: string): boolean {
  if (password.length < 8 || password.length > 256) return false;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
  return classes >= 3;
}

function readPassword(value: unknown, creating: boolean): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalid('passwordProfile');
  const profile = value as Record<string, unknown>;
  for (const key of Object.keys(profile)) {
    if (!['password', 'forceChangePasswordNextSignIn', 'forceChangePasswordNextSignInWithMfa'].includes(key)) throw unknownProperty(key);
  }
  const password = profile['password'];
  if (password === undefined && !creating) return undefined;
  if (typeof password !== 'string' || password.length === 0) throw invalid('passwordProfile');
  if (!meetsPasswordPolicy(password)) {
    throw new GraphError(400, 'Request_BadRequest', 'The specified password does not comply with password complexity requirements. Please provide a different password.', {
      details: [{ code: 'InvalidValue', target: 'passwordProfile' }],
    });
  }
  return password;
}

/** `mailNickname`: Graph refuses spaces, '@' and the other characters of its list. */
const MAIL_NICKNAME = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~.]{1,64}$/;
const UPN = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~.]{1,64}@[A-Za-z0-9.-]{1,255}$/;

/**
 * Applies a POST or PATCH body to a user: unknown properties and wrong types are Graph's 400s;
 * the UPN's domain must be one of the tenant's (`domains`).
 */
export function applyUserProperties(current: User, body: Record<string, unknown>, options: { creating: boolean; domains: readonly string[] }): UserChange {
  const next: User = { ...current };
  let password: string | undefined;
  for (const [key, value] of Object.entries(body)) {
    if (key.startsWith('@odata.')) continue;
    if (!WRITABLE.has(key)) throw unknownProperty(key);
    if ((STRINGS as readonly string[]).includes(key)) {
      if (value !== null && typeof value !== 'string') throw invalid(key);
      if (key === 'displayName' && (typeof value !== 'string' || !value.trim() || value.length > 256)) throw invalid(key);
      if (key === 'mailNickname' && (typeof value !== 'string' || !MAIL_NICKNAME.test(value))) throw invalid(key);
      if (typeof value === 'string' && value.length > 256) throw invalid(key);
      (next as unknown as Record<string, unknown>)[key] = value;
    } else if (key === 'accountEnabled') {
      if (typeof value !== 'boolean') throw invalid(key);
      next.accountEnabled = value;
    } else if (key === 'userType') {
      if (value !== 'Member' && value !== 'Guest') throw invalid(key);
      next.userType = value;
    } else if (key === 'businessPhones') {
      if (!Array.isArray(value) || value.length > 1 || !value.every((v) => typeof v === 'string' && v.length <= 64)) throw invalid(key);
      next.businessPhones = value as string[];
    } else if (key === 'passwordPolicies') {
      if (value !== null && typeof value !== 'string') throw invalid(key);
    } else if (key === 'userPrincipalName') {
      if (typeof value !== 'string' || !UPN.test(value)) throw new GraphError(400, 'Request_BadRequest', 'Property userPrincipalName is invalid.', { details: [{ code: 'InvalidValue', target: 'userPrincipalName' }] });
      const domain = value.split('@')[1]!.toLowerCase();
      if (!options.domains.includes(domain)) {
        throw new GraphError(400, 'Request_BadRequest', 'The domain portion of the userPrincipalName property is invalid. You must use one of the verified domain names in your organization.', {
          details: [{ code: 'InvalidValue', target: 'userPrincipalName' }],
        });
      }
      next.userPrincipalName = value;
    } else if (key === 'passwordProfile') {
      password = readPassword(value, options.creating);
    }
  }
  if (options.creating) {
    for (const required of REQUIRED_ON_CREATE) if (body[required] === undefined || body[required] === null) throw invalid(required);
  }
  return { user: next, ...(password !== undefined ? { password } : {}) };
}
