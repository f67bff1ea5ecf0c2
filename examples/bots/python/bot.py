"""An example bot: checks its service token at start-up, then calls the API with short access tokens.

    AUTHGATE_URL=https://auth.example.com AUTHGATE_SERVICE_TOKEN=agst_... python3 bot.py [--once]
"""

import os
import sys
import time

from token_manager import AuthgateError, ServiceTokenRejected, TokenManager

WARN_DAYS = 7


def main() -> int:
    manager = TokenManager(os.environ["AUTHGATE_URL"], os.environ["AUTHGATE_SERVICE_TOKEN"])
    try:
        info = manager.token_info()
    except ServiceTokenRejected as dead:
        print(f"The service token no longer works: {dead}. Create a new one (authgate-token create).", file=sys.stderr)
        return 1
    if info["days_left"] is not None and info["days_left"] < WARN_DAYS:
        print(f"The service token {info['name']} expires in {info['days_left']} days: rotate it (authgate-token rotate).",
              file=sys.stderr)
    while True:
        ok = False
        try:
            response = manager.request("GET", "/api/auth/me")
            ok = response.status == 200
            if ok:
                print(f"Acting as {response.json()['user']['username']}")
            else:
                print(f"The gateway answered {response.status}: {response.json()}", file=sys.stderr)
        except ServiceTokenRejected as dead:
            print(f"The service token no longer works: {dead}.", file=sys.stderr)
            return 1
        except AuthgateError as passing:
            # The provider or the network is down: keep the token, try again at the next round.
            print(f"Not this time: {passing}", file=sys.stderr)
        if "--once" in sys.argv:
            return 0 if ok else 1
        time.sleep(60)


if __name__ == "__main__":
    sys.exit(main())
