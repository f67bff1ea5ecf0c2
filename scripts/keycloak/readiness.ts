import { readFileSync } from 'node:fs';
import { tail } from './commands.js';
import { KeycloakStartError } from './errors.js';
import type { KeycloakProcess } from './keycloak-process.js';

export interface ReadinessCheck {
  process: KeycloakProcess;
  managementUrl: string;
  realmUrl: string;
  logFile: string;
  timeoutMs: number;
}

// Keycloak logs every readiness probe that finds it still starting; those lines say nothing in an error message.
const PROBE_NOISE = /Reporting health down status/;

export function logTail(logFile: string, lines = 40): string {
  try {
    return tail(
      readFileSync(logFile, 'utf8')
        .split('\n')
        .filter((line) => !PROBE_NOISE.test(line))
        .join('\n'),
      lines,
    );
  } catch {
    return '(no log)';
  }
}

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

/**
 * Ready means both: the management port's /health/ready (Keycloak initialised, realm imported) and the realm's
 * discovery document over the public port (what a gateway asks first). Fails early when kc.sh exits.
 */
export async function waitUntilReady({
  process,
  managementUrl,
  realmUrl,
  logFile,
  timeoutMs,
}: ReadinessCheck): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (process.hasExited()) {
      const { code, signal } = await process.exited;
      throw new KeycloakStartError(
        `Keycloak exited while starting (${signal ?? `exit ${code}`}). Its log (${logFile}) ends:\n${logTail(logFile)}`,
      );
    }
    if (
      (await answers(`${managementUrl}/health/ready`)) &&
      (await answers(`${realmUrl}/.well-known/openid-configuration`))
    )
      return;
    if (Date.now() > deadline) {
      throw new KeycloakStartError(
        `Keycloak did not become ready within ${Math.round(timeoutMs / 1000)}s. Its log (${logFile}) ends:\n${logTail(logFile)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}
