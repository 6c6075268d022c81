/**
 * Delivers one alert notification to one channel. The activity is retried with backoff (from 2 s
 * up to ALERT_RETRY_MAX_S between attempts) until it succeeds or ALERT_DELIVERY_GIVE_UP_H has
 * passed, so an alert is not lost while a channel is down; a channel that refuses for good (a 4xx
 * webhook answer, a 5xx SMTP reply) is not retried. Either way the outcome is recorded.
 *
 * @module
 */
import * as wf from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import type { DeliveryInput } from './alert-messages.ts';

const record = wf.proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 10 },
});

export async function alertDeliveryWorkflow(input: DeliveryInput): Promise<'DELIVERED' | 'FAILED'> {
  const deliver = wf.proxyActivities<Activities>({
    startToCloseTimeout: '1 minute',
    scheduleToCloseTimeout: `${input.policy.giveUpHours} hours`,
    retry: {
      initialInterval: `${Math.min(2, input.policy.maxRetrySeconds)} seconds`,
      backoffCoefficient: 2,
      maximumInterval: `${input.policy.maxRetrySeconds} seconds`,
      nonRetryableErrorTypes: ['alert-channel-rejected'],
    },
  });
  try {
    await deliver.deliverAlert(input.channel, input.message);
    return 'DELIVERED';
  } catch (err) {
    const reason = err instanceof wf.ActivityFailure && err.cause ? err.cause.message : err instanceof Error ? err.message : String(err);
    await record.recordAlertDeliveryFailed(input.message.eventId, input.channel, reason);
    return 'FAILED';
  }
}
