/**
 * Broker call metrics: latency and outcome of every call, the broker's rate budget left, and a
 * running tally the heartbeat flushes to the shared bucket table (so the evaluator sees the error
 * rate of all workers, not only its own). `instrumentBroker` wraps any Broker so that activities
 * record through it without knowing.
 *
 * A rejection is the broker answering "no" to an order: a business outcome, not a failing broker,
 * so it does not count as an error.
 *
 * @module
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { BrokerOutcomeUnknownError, BrokerRejectedError, BrokerSessionExpiredError, BrokerUnavailableError } from '../broker/errors.ts';
import type { RateBudget } from '../broker/rate-limit/store.ts';
import type { Broker } from '../broker/types.ts';
import { createTradeLatency, type TradeLatency } from './trade-latency.ts';

export type CallOutcome = 'ok' | 'rejected' | 'unavailable' | 'unknown' | 'session_expired' | 'error';

export interface BrokerTally {
  calls: number;
  errors: number;
  lastSuccessAt: Date | null;
  lastSessionExpiredAt: Date | null;
}

export interface BrokerMetrics {
  /** Record one call: its method, how long it took, and the error it threw (if any). */
  record(method: string, seconds: number, error?: unknown): void;
  /** Record what is left of the broker's rate budget (brokers with a client-side limiter). */
  setBudget(budget: RateBudget): void;
  /** The calls since the last drain (and reset the tally). */
  drain(): BrokerTally;
  /** Put a drained tally back (its write failed). */
  restore(t: BrokerTally): void;
  /** The trader's latencies (trade-latency.ts), in the same registry: recorded where orders are acknowledged. */
  latency?: TradeLatency | undefined;
}

export function outcomeOf(error: unknown): CallOutcome {
  if (error === undefined) return 'ok';
  if (error instanceof BrokerRejectedError) return 'rejected';
  if (error instanceof BrokerSessionExpiredError) return 'session_expired';
  if (error instanceof BrokerUnavailableError) return 'unavailable';
  if (error instanceof BrokerOutcomeUnknownError) return 'unknown';
  return 'error';
}

export function createBrokerMetrics(registry: Registry, brokerName: string): BrokerMetrics {
  const labelNames = ['broker', 'method', 'outcome'] as const;
  const calls = new Counter({ name: 'breeze_broker_calls_total', help: 'Broker calls by method and outcome', labelNames, registers: [registry] });
  const duration = new Histogram({
    name: 'breeze_broker_call_duration_seconds',
    help: 'Broker call latency by method and outcome',
    labelNames,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const budget = new Gauge({ name: 'breeze_broker_rate_budget_remaining', help: 'Broker calls left in each rate window', labelNames: ['broker', 'window'], registers: [registry] });
  let tally: BrokerTally = { calls: 0, errors: 0, lastSuccessAt: null, lastSessionExpiredAt: null };
  return {
    latency: createTradeLatency(registry, brokerName),
    record(method, seconds, error) {
      const outcome = outcomeOf(error);
      const labels = { broker: brokerName, method, outcome };
      calls.inc(labels);
      duration.observe(labels, seconds);
      tally.calls++;
      if (outcome === 'ok' || outcome === 'rejected') tally.lastSuccessAt = new Date();
      else tally.errors++;
      if (outcome === 'session_expired') tally.lastSessionExpiredAt = new Date();
    },
    setBudget(b) {
      budget.set({ broker: brokerName, window: 'second' }, b.secondLeft);
      budget.set({ broker: brokerName, window: 'minute' }, b.minuteLeft);
      budget.set({ broker: brokerName, window: 'day' }, b.dayLeft);
    },
    drain() {
      const out = tally;
      tally = { calls: 0, errors: 0, lastSuccessAt: null, lastSessionExpiredAt: null };
      return out;
    },
    restore(t) {
      const later = (a: Date | null, b: Date | null) => (a && b ? (a > b ? a : b) : (a ?? b));
      tally = { calls: tally.calls + t.calls, errors: tally.errors + t.errors, lastSuccessAt: later(tally.lastSuccessAt, t.lastSuccessAt), lastSessionExpiredAt: later(tally.lastSessionExpiredAt, t.lastSessionExpiredAt) };
    },
  };
}

const CALLS = new Set<string>(['placeOrder', 'findOrderByTag', 'getOrder', 'cancelOrder', 'modifyOrder', 'listOrders', 'positions', 'quote']);

/**
 * The same broker, every Broker call timed and counted in `metrics`. A proxy, so whatever else the
 * broker offers (Breeze's budget and session helpers, close()) passes through untouched.
 */
export function instrumentBroker<B extends Broker>(broker: B, metrics: BrokerMetrics): B {
  return new Proxy(broker, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof property !== 'string' || !CALLS.has(property) || typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        const started = performance.now();
        try {
          const result: unknown = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          metrics.record(property, (performance.now() - started) / 1000);
          return result;
        } catch (err) {
          metrics.record(property, (performance.now() - started) / 1000, err);
          throw err;
        }
      };
    },
  });
}
