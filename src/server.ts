import { ConfigError, loadConfig } from './config/load-config.js';
import { startGateway } from './gateway.js';
import { createLogger } from './observability/logger.js';
import { RequestContext } from './observability/request-context.js';

// The process entry point: configuration, then the gateway, then a graceful stop on SIGTERM/SIGINT.
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`authgate: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const requestContext = new RequestContext();
  const logger = createLogger({ level: config.logLevel, requestContext });
  const gateway = await startGateway({ config, logger, requestContext });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping', { event: 'gateway.stopping', signal });
    gateway.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error('stop failed', { event: 'gateway.stop_failed', cause: err });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`authgate: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
