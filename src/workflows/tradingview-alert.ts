/**
 * One TradingView alert, acted on durably after the webhook answered 202 (TradingView waits 3 s
 * and resends on a 5xx: docs/tradingview.md). Its id comes from the alert's identity (strategy,
 * order id, time), so the same alert twice is one workflow. The one step is an activity, retried
 * until it succeeds: it is safe to run again (src/activities/tradingview.ts).
 *
 * @module
 */
import * as wf from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import type { AlertInput, AlertOutcome } from '../activities/tradingview.ts';

const acts = wf.proxyActivities<Pick<Activities, 'actOnTradingViewAlert'>>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 20 },
});

export async function tradingViewAlertWorkflow(input: AlertInput): Promise<AlertOutcome> {
  return acts.actOnTradingViewAlert(input);
}
