/** Exit codes: scripts branch on these. */
export const EXIT = {
  ok: 0,
  /** The gateway refused or failed (the message names its error code). */
  failed: 1,
  /** A wrong command line or missing input; nothing was sent. */
  usage: 2,
  /** inspect: fewer days left than --warn-days. */
  expiring: 3,
} as const;

/** A command line the CLI cannot run; the message says what to change. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const USAGE = `Usage: authgate-token <command> [options]

Commands:
  create --user NAME --name LABEL (--days N | --eternal)
                       create a service token for NAME and print it (shown this once)
  inspect [--warn-days N]
                       the token's name, owner and days left; exits 3 when fewer than N days remain (default 7)
  list                 the tokens of the account the token acts for
  revoke ID            revoke a token of that account
  rotate [--user NAME] a new token with the same name and lifetime, printed, then the old one revoked
                       (NAME defaults to the token's owner)

Options:
  --url URL            the gateway (default: AUTHGATE_URL)
  --json               one JSON document on stdout, for scripts
  -h, --help           this text

Environment:
  AUTHGATE_URL             the gateway, when --url is not given
  AUTHGATE_PASSWORD        the password for create and rotate (otherwise asked for on a terminal; never an argument)
  AUTHGATE_SERVICE_TOKEN   the token for inspect, list, revoke and rotate (otherwise read from stdin)

Exit codes: 0 done, 1 the gateway refused or failed, 2 wrong usage, 3 expiring (inspect)
`;
