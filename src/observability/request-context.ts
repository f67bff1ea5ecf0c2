import { AsyncLocalStorage } from 'node:async_hooks';

export interface RequestScope {
  readonly requestId: string;
}

/**
 * Carries the request id through every await of a request, so that any log line written while serving it
 * names the request without passing the id around by hand.
 */
export class RequestContext {
  private readonly storage = new AsyncLocalStorage<RequestScope>();

  run<T>(scope: RequestScope, fn: () => T): T {
    return this.storage.run(scope, fn);
  }

  get requestId(): string | undefined {
    return this.storage.getStore()?.requestId;
  }
}
