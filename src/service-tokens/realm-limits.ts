import { describeError } from '../observability/describe-error.js';
import type { Logger } from '../observability/logger.js';
import type { OfflineLimits } from './outcomes.js';

/**
 * The realm's offline-session limits for a create, as the gateway can see them. Not a refusal when they cannot be
 * had: the create goes on under the provider's own limits, and the log says why (hidden: once; unreadable: each time).
 */
export function realmOfflineLimits(
  read: () => Promise<OfflineLimits | undefined>,
  logger: Logger,
): () => Promise<OfflineLimits | undefined> {
  let hiddenSaid = false;
  return async () => {
    const limits = await read().catch((err: unknown) => {
      logger.warn('the realm offline-session limits cannot be read', {
        event: 'service_token.realm_limits_unreadable',
        cause: describeError(err),
      });
      return null;
    });
    if (limits === undefined && !hiddenSaid) {
      hiddenSaid = true;
      logger.warn(
        "the realm's offline-session limits are hidden from the gateway: give its client's service account the realm-management role view-realm",
        { event: 'service_token.realm_limits_hidden' },
      );
    }
    return limits ?? undefined;
  };
}
