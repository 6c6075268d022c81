/**
 * What a trader feels, as Prometheus histograms in the worker (docs/monitoring.md#trader-latency):
 *
 * - `trade_entry_to_broker_seconds`: from the API accepting POST /trades (the workflow input's
 *   `acceptedAt`) to the broker acknowledging the entry order (its placeOrder answer);
 * - `tick_to_exit_order_seconds`: from the worker receiving the price tick that crossed the
 *   stop-loss or target (the exit-trigger watcher's `triggeredAt`) to the broker acknowledging
 *   the exit order;
 * - `tick_to_exit_decision_seconds`: from the tick's own time (`at`: when the paper exchange
 *   announced the price, its resting orders filled, or the exchange's last-trade time on Breeze,
 *   to the second) to the watcher deciding that it crossed the stop-loss or target: the time a
 *   tick spends reaching the worker and waiting in its event loop, which grows with the number of
 *   held positions.
 *
 * Both clocks are wall clocks of our own processes (API and worker), never the broker's.
 *
 * @module
 */
import { Histogram, type Registry } from 'prom-client';

export interface TradeLatency {
  /** The entry order was acknowledged `seconds` after the API accepted the trade. */
  entryToBroker(seconds: number): void;
  /** The exit order of a stop-loss or target was acknowledged `seconds` after its tick arrived. */
  tickToExit(reason: 'STOP_LOSS' | 'TARGET', seconds: number): void;
  /** The watcher decided a stop-loss or target was crossed `seconds` after the tick's own time. */
  tickToDecision(reason: 'STOP_LOSS' | 'TARGET', seconds: number): void;
}

/** From a few milliseconds (a paper exchange) to a broker under its rate limit. */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export function createTradeLatency(registry: Registry, brokerName: string): TradeLatency {
  const entry = new Histogram({
    name: 'trade_entry_to_broker_seconds',
    help: 'Time from the API accepting POST /trades to the broker acknowledging the entry order',
    labelNames: ['broker'],
    buckets: BUCKETS,
    registers: [registry],
  });
  const exit = new Histogram({
    name: 'tick_to_exit_order_seconds',
    help: 'Time from the price tick that crossed a stop-loss or target to the broker acknowledging the exit order',
    labelNames: ['broker', 'reason'],
    buckets: BUCKETS,
    registers: [registry],
  });
  const decision = new Histogram({
    name: 'tick_to_exit_decision_seconds',
    help: "Time from a price tick's own time to the watcher deciding it crossed a stop-loss or target",
    labelNames: ['broker', 'reason'],
    buckets: BUCKETS,
    registers: [registry],
  });
  return {
    tickToDecision: (reason, seconds) => decision.observe({ broker: brokerName, reason }, Math.max(0, seconds)),
    entryToBroker: (seconds) => entry.observe({ broker: brokerName }, Math.max(0, seconds)),
    tickToExit: (reason, seconds) => exit.observe({ broker: brokerName, reason }, Math.max(0, seconds)),
  };
}
