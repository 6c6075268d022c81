/**
 * The trade workflow's side of the exit book (exit-book.ts): booking a held position's watch,
 * taking it back, and looking once at resting orders the book said changed.
 *
 * @module
 */
import { bookExitWatch, type ExitWatch, unbookExitWatch } from '../db/exit-watches.ts';
import type { ActivityDeps } from './context.ts';
import { endedLeg, type ProtectionEnded, type RestingLeg } from './protection-watch.ts';

export interface Booked {
  /**
   * The broker announces every change of the resting orders (the paper exchange), so the book
   * tells the trade of them; otherwise the trade keeps watching them itself (watchProtection).
   */
  legsAnnounced: boolean;
}

/**
 * Whether the worker's broker announces every change of its orders, so that the exit book tells a
 * trade of its resting orders' changes: the paper exchange does; Breeze's notices are hints within
 * a call budget (protection-watch.ts), not every change.
 */
export function ordersAnnounced(deps: Pick<ActivityDeps, 'paperOrderChanges' | 'orderNotices'>): boolean {
  return deps.paperOrderChanges !== undefined && deps.orderNotices === undefined;
}

export function exitBookActivities(deps: ActivityDeps) {
  const legsAnnounced = ordersAnnounced(deps);
  return {
    async bookExitWatch(watch: ExitWatch): Promise<Booked> {
      await bookExitWatch(deps.sql, { ...watch, restingOrderIds: legsAnnounced ? watch.restingOrderIds : [] });
      return { legsAnnounced };
    },
    async unbookExitWatch(workflowId: string): Promise<void> {
      await unbookExitWatch(deps.sql, workflowId);
    },
    /** The first of the resting orders that ended, as it ended; nothing while all rest. */
    async lookAtProtection(legs: RestingLeg[]): Promise<ProtectionEnded> {
      return (await endedLeg(deps.broker, legs)) ?? {};
    },
  };
}
