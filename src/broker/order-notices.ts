/**
 * Order notifications from the broker's stream (Breeze's livefeeds `order` event,
 * docs/breeze-api.md#order-notifications): a hint that an order changed, so whoever waits for it
 * asks the broker once now instead of at its next poll. A notice is never taken as the order's
 * state: its value formats are unconfirmed, and a missed one only means waiting for the poll.
 *
 * @module
 */

/** Stops listening; calling it twice is harmless. */
export type StopListening = () => void;

export interface OrderNotices {
  /** Calls `listener` whenever the broker says order `brokerOrderId` changed. */
  onChange(brokerOrderId: string, listener: () => void): StopListening;
  /** Whether notices can arrive now (the stream is connected): while not, a change may go unsaid. */
  connected(): boolean;
}

/** The listeners of each order id; the stream calls `notify`. */
export class OrderNoticeBoard implements OrderNotices {
  private readonly listeners = new Map<string, Set<() => void>>();
  private live = false;

  connected(): boolean {
    return this.live;
  }

  /** The stream says whether it is connected. */
  setConnected(connected: boolean): void {
    this.live = connected;
  }

  onChange(brokerOrderId: string, listener: () => void): StopListening {
    let set = this.listeners.get(brokerOrderId);
    if (!set) {
      set = new Set();
      this.listeners.set(brokerOrderId, set);
    }
    const own = () => listener();
    set.add(own);
    return () => {
      const current = this.listeners.get(brokerOrderId);
      current?.delete(own);
      if (current?.size === 0) this.listeners.delete(brokerOrderId);
    };
  }

  notify(brokerOrderId: string): void {
    for (const listener of [...(this.listeners.get(brokerOrderId) ?? [])]) listener();
  }

  /** Every order listened to may have changed: the stream was down, and what it said meanwhile is lost. */
  notifyAll(): void {
    for (const id of [...this.listeners.keys()]) this.notify(id);
  }
}
