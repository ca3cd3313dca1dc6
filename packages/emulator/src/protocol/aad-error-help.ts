import type { AadstsCode } from './aad-error.ts';

/** What an AADSTS code the emulator answers with means, and what usually fixes it. */
export interface AadErrorHelp {
  title: string;
  /** Why the emulator (and Entra) answers with it. */
  cause: string;
  /** What the developer usually changes. */
  fix: string;
}

/** One entry per code in the AADSTS table (a test checks none is missing); served at /error?code=N. */
export const AADSTS_HELP: Record<AadstsCode, AadErrorHelp> = {
  90002: { title: 'Tenant not found', cause: 'The {tenant} segment of the URL names no tenant of this emulator (or names consumers).', fix: 'Use a tenant id or domain listed on the emulator home page, or common / organizations.' },
  90014: { title: 'Required field missing', cause: 'A required protocol field is absent from the request.', fix: 'Send the field named in the message.' },
  900144: { title: 'Required parameter missing', cause: 'The request body lacks a parameter the grant or endpoint requires.', fix: 'Send the parameter named in the message (form-encoded).' },
  9002313: { title: 'Invalid request', cause: 'The request is malformed: a repeated or oversized parameter, a wrong content type, an unknown or expired sign-in form, or a path the emulator does not serve.', fix: 'Read the message: it names the part of the request that is wrong.' },
  90023: { title: 'Request too large or unsupported', cause: 'The request body exceeds 64 KiB or uses an unsupported form.', fix: 'Send a smaller, form-encoded body.' },
  50011: { title: 'Redirect URI mismatch', cause: 'The redirect_uri sent to /authorize is not registered for the app. Entra compares byte for byte: a trailing slash, http versus https, a port or letter case make it differ. The error is shown on a page, never redirected.', fix: 'Register the exact URI on the app (config file or app registration), or send the registered one.' },
  50058: { title: 'Silent sign-in without a session', cause: 'prompt=none was sent but this browser has no SSO session at the emulator (or it belongs to another user or tenant).', fix: 'Fall back to an interactive sign-in (drop prompt=none).' },
  50126: { title: 'Wrong username or password', cause: 'The username or the password does not match a user of the tenant.', fix: 'Use a user and password from dev.json (or your config file).' },
  54005: { title: 'Authorization code already redeemed', cause: 'Codes are single use. A second redemption is refused and the refresh tokens of the first one are revoked.', fix: 'Redeem each code once; use the refresh token afterwards.' },
  50148: { title: 'PKCE verifier mismatch', cause: 'The code_verifier does not match the code_challenge (plain method).', fix: 'Send the verifier generated with the challenge.' },
  501481: { title: 'PKCE verifier mismatch', cause: 'The code_verifier does not hash (S256) to the code_challenge sent to /authorize, or is missing although a challenge was sent.', fix: 'Keep the verifier with the sign-in transaction and send it at redemption.' },
  70000: { title: 'Invalid grant', cause: 'The grant (code, refresh token) was issued to another client or tenant, or its user is gone.', fix: 'Redeem grants with the client and tenant they were issued to.' },
  70008: { title: 'Grant expired', cause: 'The authorization code (10 minutes) or refresh token expired or was revoked.', fix: 'Start a new interactive sign-in.' },
  700082: { title: 'Refresh token expired by inactivity', cause: 'The refresh token was not used for longer than its inactivity lifetime.', fix: 'Start a new interactive sign-in.' },
  70011: { title: 'Invalid scope', cause: 'A scope does not exist on its resource, scopes of two resources were mixed, or .default was combined with other scopes.', fix: 'Ask for scopes of one resource, as exposed by its app registration.' },
  1002012: { title: 'Client credentials without .default', cause: 'The client credentials grant needs exactly one {resource}/.default scope.', fix: 'Ask for e.g. https://graph.microsoft.com/.default.' },
  28002: { title: 'Scope value invalid', cause: 'A scope value is not valid for this request.', fix: 'Check the scope string.' },
  70003: { title: 'Unsupported grant type', cause: 'The token endpoint does not know the grant_type sent.', fix: 'Use authorization_code, refresh_token, client_credentials, password, the jwt-bearer (OBO) or the device_code grant.' },
  700016: { title: 'Application not found', cause: 'No app registration with this client_id exists in the tenant (a single-tenant app is only found in its own tenant).', fix: 'Use a client id listed on the emulator home page and the tenant that registers it.' },
  7000215: { title: 'Invalid client secret', cause: 'The secret matches none of the secrets registered on the app.', fix: 'Send the secret value (not its id) from dev.json or your config file.' },
  7000218: { title: 'Client credential missing', cause: 'A confidential-only flow (client credentials, OBO, a code issued to a web redirect URI) was used without a secret or assertion.', fix: 'Send client_secret or client_assertion, or register the redirect URI as public client / SPA.' },
  7000222: { title: 'Client secret expired', cause: 'The secret sent has passed its end date.', fix: 'Add a new secret to the app.' },
  700027: { title: 'Invalid client assertion', cause: 'The private_key_jwt assertion is not signed by a registered certificate, or its aud, iss, sub, exp or jti is wrong.', fix: 'Sign with the registered certificate; aud is the token endpoint, iss and sub the client id.' },
  500011: { title: 'Resource not found', cause: 'The resource a scope names (App ID URI or appId) has no service principal in the tenant.', fix: 'Check the App ID URI of the API and that it is registered in the same tenant.' },
  650057: { title: 'Resource not in the registration', cause: "`{resource}/.default` was asked for an API that the client's registration does not list in requiredResourceAccess, and nobody granted the client any of its scopes: there is nothing `.default` could stand for.", fix: "Add the API's delegated permissions to the app's requiredResourceAccess (config file or Graph), or ask for named scopes instead of .default." },
  700025: { title: 'Public client sent a credential', cause: 'The client is public here (the code went to a mobile/desktop or SPA redirect URI, or the app is a public client with no credentials of its own), so a client_secret or client_assertion must not be sent.', fix: 'Drop the secret (use a public client application in MSAL), or register the redirect URI under web for a confidential app.' },
  50034: { title: 'User not found', cause: 'The password grant named a username that is not a user of the tenant.', fix: 'Use a user from dev.json (or your config file), with its full user principal name.' },
  65001: { title: 'Consent required', cause: 'The user (or an administrator) has not granted the client the permissions asked for.', fix: 'Send the user through an interactive sign-in to consent, or grant admin consent in the config file.' },
  50013: { title: 'Assertion invalid', cause: 'The on-behalf-of assertion failed validation (signature, audience or issuer).', fix: 'Pass the access token your API received, unchanged.' },
  50027: { title: 'Invalid JWT', cause: 'The on-behalf-of assertion is not a valid access token for the calling API (an ID token, app-only token or malformed token).', fix: 'Pass a delegated access token whose aud is the calling API.' },
  700024: { title: 'Assertion outside its validity', cause: 'A client assertion is expired or not yet valid.', fix: 'Create assertions with current iat, nbf and exp.' },
  9002341: { title: 'User must sign in', cause: 'The request needs a signed-in user.', fix: 'Sign in interactively.' },
  50105: { title: 'User not assigned', cause: 'The app requires assignment and the user holds no role on it.', fix: 'Assign the user (or a group of theirs) to the app.' },
  50076: { title: 'Multi-factor authentication required', cause: 'A policy (an authentication context the app asked for in `claims`, or per-user MFA) requires a second factor this sign-in did not give.', fix: 'Send the user to /authorize with the `claims` value from the error or challenge (not prompt=none); they enter the code from their authenticator app.' },
  50079: { title: 'Security information registration required', cause: 'The user must register MFA methods: the emulator has no second factor for this user.', fix: 'Give the user a TOTP secret (users[].mfa.totpSecret in the tenant file).' },
  500121: { title: 'Strong authentication failed', cause: 'The verification code from the authenticator app was wrong (OathCodeIncorrect), or too many wrong codes were entered.', fix: 'Enter the current 6-digit code (TOTP, 30-second steps; dev.json lists the secret); after five wrong codes start the sign-in again.' },
  500113: { title: 'No reply address registered', cause: 'The app has no redirect URI at all.', fix: 'Register a web, SPA or public client redirect URI.' },
  7000112: { title: 'Application disabled', cause: "The app's service principal is disabled in the tenant.", fix: 'Enable the service principal.' },
  700054: { title: 'Response type not enabled', cause: 'response_type=id_token (or code id_token, id_token token) needs web.implicitGrantSettings.enableIdTokenIssuance on the app registration.', fix: 'Use response_type=code, or enable ID tokens in the implicit grant settings of the app.' },
  700051: { title: 'Response type not enabled', cause: 'response_type=token (or id_token token) asks for an access token from /authorize, which needs web.implicitGrantSettings.enableAccessTokenIssuance on the app registration.', fix: 'Use response_type=code with PKCE and redeem the code, or enable access tokens in the implicit grant settings of the app.' },
  9001: { title: 'Injected fault', cause: 'A fault rule (POST /_admin/faults) matched this path: the emulator answered with an error on purpose.', fix: 'Clear the rule (DELETE /_admin/faults) when the resilience test is done.' },
  50049: { title: 'Unknown or invalid instance', cause: 'Instance discovery was asked about a host the emulator does not serve.', fix: 'Disable instance discovery for the emulator authority (knownAuthorities, instance_discovery=False).' },
  9002325: { title: 'PKCE required', cause: 'The client skipped PKCE: no code_challenge was sent. As Entra, PKCE is required for SPA redirect URIs (and for every client when the emulator runs with ENTRAKIT_EMULATOR_REQUIRE_PKCE=always).', fix: 'Send code_challenge and code_challenge_method=S256 (MSAL does so by itself).' },
  9002327: { title: 'SPA code redeemed without Origin', cause: 'A code or refresh token issued to a single-page app (spa redirect URI) was redeemed without an Origin header: Entra only accepts cross-origin redemption from the browser for SPA tokens.', fix: 'Redeem from the browser (CORS), or register the redirect URI as web and use a client secret.' },
  700084: { title: 'SPA refresh token expired', cause: 'Refresh tokens issued to single-page apps live 24 hours, whatever their use.', fix: 'Sign the user in again (silently while the identity provider session lasts).' },
  501491: { title: 'Unsupported PKCE method', cause: 'code_challenge_method is missing (plain) or not S256, or the challenge has the wrong size.', fix: 'Send a 43-character S256 challenge with code_challenge_method=S256.' },
  9002326: { title: 'Cross-origin redemption of a web code', cause: "A code issued to a web redirect URI was redeemed with an Origin header (from a browser).", fix: 'Register the redirect URI as SPA, or redeem from the server.' },
  50059: { title: 'No tenant in the request', cause: 'An app-only request (client credentials) was sent to common or organizations, which name no tenant.', fix: 'Use the tenant-specific authority.' },
  50194: { title: 'Single-tenant app on a multi-tenant authority', cause: 'The app is AzureADMyOrg but the request used common or organizations.', fix: 'Use the tenant authority, or make the app multi-tenant.' },
  500112: { title: 'Reply address differs at redemption', cause: 'The redirect_uri sent to the token endpoint differs from the one sent to /authorize.', fix: 'Send the same redirect_uri in both requests.' },
  50173: { title: 'Grant revoked', cause: 'The refresh-token family was revoked (reuse detection, code replay or a credential change).', fix: 'Start a new interactive sign-in.' },
  500133: { title: 'Assertion outside its validity (OBO)', cause: 'The access token passed as OBO assertion has expired.', fix: 'Acquire a fresh token for the API first.' },
  50057: { title: 'Account disabled', cause: "The user's account is disabled.", fix: 'Enable the account (accountEnabled) or sign in as another user.' },
  70005: { title: 'Unsupported response type', cause: 'Only response_type=code is served by the emulator.', fix: 'Use the authorization code flow with PKCE.' },
  65004: { title: 'User declined consent', cause: 'The user chose Cancel on the consent page.', fix: 'Ask again, or grant admin consent.' },
  90094: { title: 'Admin consent required', cause: 'Some requested permissions may only be granted by an administrator.', fix: 'Grant admin consent for the app (config file consents).' },
  70016: { title: 'Authorization pending', cause: 'Device code flow: the user has not yet entered the code and signed in. Keep polling at the interval.', fix: 'Nothing: poll again after `interval` seconds (slow_down answers ask to wait 5 s longer).' },
  70018: { title: 'Bad verification code', cause: 'Device code flow: the device_code (or the user code typed on the page) is unknown, or was already redeemed.', fix: 'Use the device_code from the devicecode response; start a new flow if it was redeemed.' },
  70019: { title: 'Device code expired', cause: 'Device code flow: the user did not finish within expires_in (900 s).', fix: 'Start a new device code flow.' },
  70020: { title: 'Authorization declined', cause: 'Device code flow: the user chose Cancel on the verification page.', fix: 'Start a new device code flow if the user changes their mind.' },
};
