"""Unmodified MSAL Python's device code flow, driven by msal-python-device-flow.test.ts.

Only the authority and instance discovery differ from a real Entra tenant; the emulator's CA is
trusted through REQUESTS_CA_BUNDLE (TLS verification stays on). Prints the flow as one JSON line
(the test completes it on the verification page), then the result of acquire_token_by_device_flow.
"""
import json
import os

import msal

app = msal.PublicClientApplication(
    os.environ["ENTRAKIT_CLIENT_ID"],
    authority=os.environ["ENTRAKIT_AUTHORITY"],
    instance_discovery=False,
)
flow = app.initiate_device_flow(scopes=os.environ["ENTRAKIT_SCOPES"].split())
print(json.dumps({"flow": {k: flow.get(k) for k in ("user_code", "verification_uri", "expires_in", "interval", "message", "error")}}), flush=True)
result = app.acquire_token_by_device_flow(flow)
print(json.dumps({
    "result": {k: result.get(k) for k in ("token_type", "scope", "error", "error_description", "id_token_claims") if k in result},
    "has_access_token": "access_token" in result,
    "has_refresh_token": "refresh_token" in result,
}), flush=True)
