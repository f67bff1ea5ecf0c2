"""Drives examples/bots/python/token_manager.py for test/bots/python-token-manager.test.ts; prints one JSON line."""

import json
import os
import sys
import urllib.request

from token_manager import AuthgateError, ServiceTokenRejected, TokenManager

manager = TokenManager(os.environ["AUTHGATE_URL"], os.environ["AUTHGATE_SERVICE_TOKEN"])
exchanges = 0
exchange = manager._refresh_access_token


def counted() -> None:
    global exchanges
    exchanges += 1
    exchange()


manager._refresh_access_token = counted


def me(response) -> dict:
    return {"status": response.status, "username": response.json()["user"]["username"]}


scenario = sys.argv[1]
if scenario == "me":
    # The seed's use: an access token, sent by the bot itself.
    token = manager.get_access_token()
    request = urllib.request.Request(manager.api_url + "/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request) as answer:
        user = json.loads(answer.read())["user"]
    again = manager.get_access_token()
    print(json.dumps({"username": user["username"], "same_token": again == token, "exchanges": exchanges}))
elif scenario == "expired":
    first = me(manager.request("GET", "/api/auth/me"))
    print(json.dumps({"ready": True}), flush=True)
    sys.stdin.readline()  # the test moves the gateway's and the IdP's clocks past the access token's expiry
    second = me(manager.request("GET", "/api/auth/me"))
    print(json.dumps({"first": first, "second": second, "exchanges": exchanges}))
elif scenario == "revoked":
    try:
        manager.get_access_token()
        print(json.dumps({"kind": "none"}))
    except AuthgateError as error:
        print(json.dumps({
            "kind": type(error).__name__,
            "dead": isinstance(error, ServiceTokenRejected),
            "code": error.code,
            "status": error.status,
            "text": str(error),
        }))
