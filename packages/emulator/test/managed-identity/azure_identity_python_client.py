"""Unmodified azure.identity.ManagedIdentityCredential driven by azure-identity-python.test.ts.

The protocol is chosen by the environment exactly as on Azure: IDENTITY_ENDPOINT + IDENTITY_HEADER
(App Service), or AZURE_POD_IDENTITY_AUTHORITY_HOST (IMDS at another base URL). The emulator's CA
is trusted through REQUESTS_CA_BUNDLE (TLS verification stays on).

Arguments: one or more requests, each "SCOPE" or "SCOPE CLIENT_ID" (a user-assigned identity).
Prints one JSON object per request: {"token", "expires_on"} or {"error": class name, "message"}.
"""
import json
import sys

from azure.identity import ManagedIdentityCredential


def main():
    for request in sys.argv[1:]:
        parts = request.split()
        kwargs = {"client_id": parts[1]} if len(parts) > 1 else {}
        try:
            with ManagedIdentityCredential(**kwargs) as credential:
                token = credential.get_token(parts[0])
            result = {"token": token.token, "expires_on": token.expires_on}
        except Exception as error:  # the test asserts on the class and message
            result = {"error": type(error).__name__, "message": str(error)}
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
