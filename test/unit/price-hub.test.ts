import { describe, expect, it } from 'vitest';
import { PriceHub, type PriceUpstream } from '../../src/broker/price-hub.ts';
import type { PriceTick } from '../../src/broker/price-feed.ts';
import type { Instrument } from '../../src/domain/trade.ts';

const RELIANCE: Instrument = { symbol: 'RELIANCE', exchange: 'NSE', product: 'CASH' };
const ITC: Instrument = { symbol: 'ITC', exchange: 'NSE', product: 'CASH' };

function recordingUpstream() {
  const calls: string[] = [];
  const upstream: PriceUpstream = {
    subscribe: (i) => calls.push(`+${i.symbol}`),
    unsubscribe: (i) => calls.push(`-${i.symbol}`),
    close: async () => {
      calls.push('close');
    },
  };
  return { calls, upstream };
}

const tick = (instrument: Instrument, lastPricePaise: number): PriceTick => ({ instrument, lastPricePaise, at: '2026-01-05T04:00:00.000Z' });

describe('PriceHub', () => {
  it('fans one upstream subscription out to every watcher of an instrument', () => {
    const { calls, upstream } = recordingUpstream();
    const hub = new PriceHub({ staleMs: 5_000 });
    hub.attach(upstream);
    const seen: string[] = [];
    hub.watch(RELIANCE, (t) => seen.push(`a${t.lastPricePaise}`));
    hub.watch(RELIANCE, (t) => seen.push(`b${t.lastPricePaise}`));
    hub.watch(RELIANCE, (t) => seen.push(`c${t.lastPricePaise}`));
    hub.publish(tick(RELIANCE, 2_450_00));
    hub.publish(tick(ITC, 450_00));
    expect(calls).toEqual(['+RELIANCE']);
    expect(seen).toEqual(['a245000', 'b245000', 'c245000']);
  });

  it('unsubscribes upstream when the last watcher leaves, and only then', () => {
    const { calls, upstream } = recordingUpstream();
    const hub = new PriceHub({ staleMs: 5_000 });
    hub.attach(upstream);
    const first = hub.watch(RELIANCE, () => {});
    const second = hub.watch(RELIANCE, () => {});
    first();
    first();
    expect(calls).toEqual(['+RELIANCE']);
    second();
    expect(calls).toEqual(['+RELIANCE', '-RELIANCE']);
    hub.watch(RELIANCE, () => {});
    expect(calls).toEqual(['+RELIANCE', '-RELIANCE', '+RELIANCE']);
  });

  it('stops delivering to a watcher that left', () => {
    const hub = new PriceHub({ staleMs: 5_000 });
    const seen: number[] = [];
    const stop = hub.watch(RELIANCE, (t) => seen.push(t.lastPricePaise));
    hub.publish(tick(RELIANCE, 100_00));
    stop();
    hub.publish(tick(RELIANCE, 101_00));
    expect(seen).toEqual([100_00]);
  });

  it('answers latest as stale once the instrument is quiet beyond the window', () => {
    let now = 1_000_000;
    const hub = new PriceHub({ staleMs: 5_000, now: () => now });
    expect(hub.latest(RELIANCE)).toBeUndefined();
    hub.publish(tick(RELIANCE, 2_450_00));
    expect(hub.latest(RELIANCE)).toMatchObject({ lastPricePaise: 2_450_00, stale: false });
    now += 5_000;
    expect(hub.latest(RELIANCE)?.stale).toBe(false);
    now += 1;
    expect(hub.latest(RELIANCE)).toMatchObject({ lastPricePaise: 2_450_00, stale: true });
    hub.publish(tick(RELIANCE, 2_451_00));
    expect(hub.latest(RELIANCE)).toMatchObject({ lastPricePaise: 2_451_00, stale: false });
  });

  it('treats every price as stale while the upstream is disconnected', () => {
    const hub = new PriceHub({ staleMs: 60_000 });
    hub.publish(tick(RELIANCE, 2_450_00));
    hub.setConnected(false);
    expect(hub.latest(RELIANCE)?.stale).toBe(true);
    hub.setConnected(true);
    expect(hub.latest(RELIANCE)?.stale).toBe(false);
  });

  it('subscribes an upstream attached late to what is already watched, and closes it', async () => {
    const { calls, upstream } = recordingUpstream();
    const hub = new PriceHub({ staleMs: 5_000 });
    hub.watch(ITC, () => {});
    hub.attach(upstream);
    await hub.close();
    expect(calls).toEqual(['+ITC', 'close']);
  });
});
