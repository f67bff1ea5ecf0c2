import { describe, expect, it } from '@jest/globals';
import { captureLogs } from '../support/logs.js';

describe('the logger', () => {
  it('writes lines at and above its level, redacted, and nothing below it', () => {
    const logs = captureLogs(undefined, 'warn');
    logs.logger.info('quiet', { event: 'below.level', password: 'hunter2' });
    logs.logger.debug('quieter', { event: 'below.level' });
    logs.logger.warn('loud', { event: 'at.level', password: 'hunter2' });
    logs.logger.child({ component: 'dev-idp' }).info('child quiet', { event: 'below.level' });
    logs.logger.child({ component: 'dev-idp' }).error('child loud', { event: 'above.level' });

    expect(logs.lines().map(({ timestamp, ...line }) => ({ ...line, timestamp: typeof timestamp }))).toEqual([
      { level: 'warn', message: 'loud', event: 'at.level', password: '[REDACTED]', timestamp: 'string' },
      { level: 'error', message: 'child loud', event: 'above.level', component: 'dev-idp', timestamp: 'string' },
    ]);
    expect(logs.text()).not.toContain('hunter2');
  });

  it('follows a level changed while running', () => {
    const logs = captureLogs(undefined, 'warn');
    logs.logger.info('before', { event: 'first' });
    logs.logger.level = 'info';
    logs.logger.info('after', { event: 'second' });

    expect(logs.lines().map((line) => line.event)).toEqual(['second']);
  });
});
