/**
 * Sealing the audit inbox into the chain (migration 0190). A writer whose records were queued
 * (another transaction held the chain's head) waits after its commit until they are sealed, so
 * that once `transaction()` returns its records are in the chain, as they were when every append
 * sealed its own. The waiting writers of one process share one sealing statement: a round seals
 * everything queued when it starts, and callers that arrive during a round wait for the next one.
 * Rounds of different processes (API, worker) take turns at the head's lock in the database.
 *
 * @module
 */
import type { Queryable, Sql } from '../db/pool.ts';

/** The advisory lock on the chain's head (migration 0190): whoever holds it assigns sequence numbers. */
export const AUDIT_HEAD_LOCK = 7_318_402_112;

/** Records sealed per statement: bounds one transaction's size when a backlog built up. */
const SEAL_BATCH = 5000;

/**
 * Seal everything queued now (nothing to do costs one query and takes no lock). Call it on a pool
 * before reading the chain: in a caller's transaction it would hold the head until that commits.
 */
export async function sealAudit(sql: Queryable): Promise<number> {
  let total = 0;
  for (;;) {
    const [row] = await sql<{ sealed: number }[]>`select audit_seal(${SEAL_BATCH}) as sealed`;
    const sealed = row?.sealed ?? 0;
    total += sealed;
    if (sealed < SEAL_BATCH) return total;
  }
}

/** Before reading the chain: seal what is queued when `sql` is a pool (a transaction reads as it is). */
export async function sealBeforeRead(sql: Queryable): Promise<void> {
  if ('begin' in sql) await sealAudit(sql);
}

interface GroupSealer {
  /** Resolves once everything committed before the call is sealed. */
  sealed(): Promise<void>;
}

const sealers = new WeakMap<Sql, GroupSealer>();

/** The one group sealer of a pool. */
export function groupSealer(sql: Sql): GroupSealer {
  let sealer = sealers.get(sql);
  if (!sealer) {
    sealer = createGroupSealer(sql);
    sealers.set(sql, sealer);
  }
  return sealer;
}

function createGroupSealer(sql: Sql): GroupSealer {
  let running: Promise<void> | undefined;
  let queued: Promise<void> | undefined;
  const start = (): Promise<void> => {
    const round = sealAudit(sql).then(() => undefined);
    running = round;
    const clear = () => {
      if (running === round) running = undefined;
    };
    round.then(clear, clear);
    return round;
  };
  const noop = () => {};
  return {
    sealed() {
      // A round already under way may have read the inbox before this caller's commit: wait for
      // the next one, which every caller arriving meanwhile shares.
      if (queued) return queued;
      if (!running) return start();
      const next = running.then(noop, noop).then(() => {
        queued = undefined;
        return start();
      });
      queued = next;
      return next;
    },
  };
}
