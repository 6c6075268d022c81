/**
 * The log channel: one pino line per notification, at error for critical alerts firing. Always
 * on, so an alert is never silent even with every other channel down.
 *
 * @module
 */
import type { Logger } from '../../../config/logger.ts';
import type { AlertChannel } from '../message.ts';

export function logChannel(log: Logger): AlertChannel {
  return {
    name: 'log',
    async send(m) {
      const level = m.status === 'RESOLVED' ? 'info' : m.severity === 'critical' ? 'error' : m.severity === 'warning' ? 'warn' : 'info';
      log[level]({ alert: m.ruleId, alertId: m.eventId, status: m.status, severity: m.severity, labels: m.labels, value: m.value }, `alert ${m.status.toLowerCase()}: ${m.summary}`);
    },
  };
}
