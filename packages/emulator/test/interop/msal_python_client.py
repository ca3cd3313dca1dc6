"""Unmodified MSAL Python driven by test/interop/msal-python.test.ts.

Only the authority and instance discovery differ from a real Entra tenant. The emulator's CA is
trusted through REQUESTS_CA_BUNDLE (TLS verification stays on). Configuration comes from
ENTRAKIT_* environment variables; results are printed as one JSON object per line.

Modes:
  client_credentials  acquire_token_for_client (secret, or certificate when ENTRAKIT_CERT_PEM is set)
  auth_code           initiate_auth_code_flow, prints {"auth_uri"}, reads the redirect's query as JSON
                      from stdin, acquire_token_by_auth_code_flow, then acquire_token_silent
                      (force_refresh) for ENTRAKIT_REFRESH_SCOPES
  on_behalf_of        acquire_token_on_behalf_of(ENTRAKIT_ASSERTION)
  password            acquire_token_by_username_password(ENTRAKIT_USERNAME, ENTRAKIT_PASSWORD): a
                      PublicClientApplication, or a confidential one when ENTRAKIT_CLIENT_SECRET is set
"""
import json
import os
import sys
from urllib.parse import urlparse

import msal
import requests


def env(name):
    value = os.environ.get("ENTRAKIT_" + name)
    if value is None:
        raise SystemExit("missing ENTRAKIT_" + name)
    return value


def scopes(name):
    return env(name).split()


def app():
    credential = env("CLIENT_SECRET") if "ENTRAKIT_CERT_PEM" not in os.environ else {
        "private_key": env("CERT_PEM"),
        "thumbprint": env("CERT_THUMBPRINT"),
    }
    return msal.ConfidentialClientApplication(
        env("CLIENT_ID"),
        client_credential=credential,
        authority=env("AUTHORITY"),
        # Instance discovery asks login.microsoftonline.com about the host; a private host turns it off.
        instance_discovery=False,
    )


def summary(result):
    """What the test checks: the token endpoint's fields as MSAL returns them, errors included."""
    if result is None:
        return None
    picked = {k: result.get(k) for k in (
        "access_token", "id_token", "id_token_claims", "token_type", "expires_in", "scope",
        "error", "error_description", "error_codes",
    ) if k in result}
    picked["has_refresh_token"] = "refresh_token" in result
    picked["keys"] = sorted(result.keys())
    return picked


def emit(value):
    print(json.dumps(value), flush=True)


def client_credentials():
    emit({"result": summary(app().acquire_token_for_client(scopes=scopes("SCOPES")))})


def auth_code():
    cca = app()
    flow = cca.initiate_auth_code_flow(scopes("SCOPES"), redirect_uri=env("REDIRECT_URI"))
    emit({"auth_uri": flow["auth_uri"]})
    auth_response = json.loads(sys.stdin.readline())
    result = cca.acquire_token_by_auth_code_flow(flow, auth_response)
    accounts = cca.get_accounts()
    silent = None
    if accounts:
        silent = cca.acquire_token_silent(scopes("REFRESH_SCOPES"), account=accounts[0], force_refresh=True)
    emit({
        "result": summary(result),
        "accounts": [{k: a.get(k) for k in ("home_account_id", "environment", "username", "realm")} for a in accounts],
        "silent": summary(silent),
    })


def on_behalf_of():
    emit({"result": summary(app().acquire_token_on_behalf_of(env("ASSERTION"), scopes("SCOPES")))})


class KeepAuthorityPort(requests.Session):
    """MSAL Python builds the userrealm URL from the authority's host name alone, dropping its port
    (https://{hostname}/common/userrealm/...). An emulator on another port than 443 needs the port
    put back; this http_client (an MSAL option) does only that."""

    def __init__(self, authority):
        super().__init__()
        parsed = urlparse(authority)
        self._host_prefix = "https://%s/" % parsed.hostname
        self._netloc = parsed.netloc

    def request(self, method, url, *args, **kwargs):
        if url.startswith(self._host_prefix):
            url = "https://%s/%s" % (self._netloc, url[len(self._host_prefix):])
        return super().request(method, url, *args, **kwargs)


def password():
    http_client = KeepAuthorityPort(env("AUTHORITY"))
    if "ENTRAKIT_CLIENT_SECRET" in os.environ:
        client = msal.ConfidentialClientApplication(
            env("CLIENT_ID"), client_credential=env("CLIENT_SECRET"), authority=env("AUTHORITY"),
            instance_discovery=False, http_client=http_client)
    else:
        client = msal.PublicClientApplication(
            env("CLIENT_ID"), authority=env("AUTHORITY"), instance_discovery=False, http_client=http_client)
    result = client.acquire_token_by_username_password(env("USERNAME"), env("PASSWORD"), scopes("SCOPES"))
    emit({"result": summary(result)})


if __name__ == "__main__":
    modes = {"client_credentials": client_credentials, "auth_code": auth_code, "on_behalf_of": on_behalf_of, "password": password}
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode not in modes:
        raise SystemExit("usage: msal_python_client.py " + "|".join(modes))
    modes[mode]()
