/**
 * The order-status reads a worker asks the broker for (polls of working entries and exits, and the
 * safety-net looks at resting stops and targets), rationed: one turn every 60 / perMinute seconds,
 * taken in order of asking (urgent ones first), so the read rate never grows with the number of
 * orders watched (arithmetic in domain/quote-budget.ts). A read that cannot wait (a notice that its
 * order changed, the first look after sending) is made at once and counted: it pushes the next turn
 * back, so the rate over time still holds. Built once per worker, shared by its activities.
 *
 * @module
 */
import { orderStatusReadsPerMinute } from '../domain/quote-budget.ts';
import { type ActivityDeps, callBudget } from './context.ts';

export interface ReadRation {
  /**
   * Resolves true at this reader's turn, or false if `abandon` settles first (its place is given
   * up). `urgent` turns go before the others.
   */
  turn(abandon: Promise<unknown>, urgent?: boolean): Promise<boolean>;
  /** A read made outside the turns: counted, it moves the next turn one interval later. */
  spend(): void;
}

export function createReadRation(perMinute: number): ReadRation {
  const intervalMs = 60_000 / perMinute;
  const queue: { urgent: boolean; go: () => void }[] = [];
  let nextSlot = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  function pump(): void {
    if (timer || !queue.length) return;
    timer = setTimeout(
      () => {
        timer = undefined;
        const waiter = queue.shift();
        if (waiter) {
          nextSlot = Date.now() + intervalMs;
          waiter.go();
        }
        pump();
      },
      Math.max(0, nextSlot - Date.now()),
    );
  }

  return {
    turn(abandon, urgent = false) {
      return new Promise<boolean>((resolve) => {
        const waiter = { urgent, go: () => resolve(true) };
        const at = urgent ? queue.findIndex((w) => !w.urgent) : -1;
        queue.splice(at < 0 ? queue.length : at, 0, waiter);
        pump();
        const leave = () => {
          const i = queue.indexOf(waiter);
          if (i < 0) return;
          queue.splice(i, 1);
          resolve(false);
        };
        abandon.then(leave, leave);
      });
    },
    spend() {
      nextSlot = Math.max(nextSlot, Date.now()) + intervalMs;
      // a pending turn waits for the pushed-back slot
      if (timer) {
        clearTimeout(timer);
        timer = undefined;
        pump();
      }
    },
  };
}

const rations = new WeakMap<ActivityDeps, ReadRation>();

/** The worker's one order-status ration (one per set of activity deps). */
export function orderReadRation(deps: ActivityDeps): ReadRation {
  let ration = rations.get(deps);
  if (!ration) {
    ration = createReadRation(
      orderStatusReadsPerMinute(callBudget(deps)),
    );
    rations.set(deps, ration);
  }
  return ration;
}
