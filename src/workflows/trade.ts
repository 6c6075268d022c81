/**
 * One trade, from request to close, in three phases around one state object (trade/run.ts):
 * enter (reserve risk, send the entry, wait for its fill), hold the position until an exit is
 * requested, a stop-loss or target is hit, or the square-off time comes, then exit and realize
 * the P&L (holding again when an exit does not fill). Every step's effect is an activity; this
 * code only decides.
 *
 * @module
 */
import * as wf from '@temporalio/workflow';
import { TRADE_TASK_TIMEOUT_MS, type TradeSummary, type TradeWorkflowInput } from './messages.ts';
import { enter } from './trade/entry.ts';
import { exitPosition } from './trade/exit.ts';
import { handleMessages } from './trade/handlers.ts';
import { unbook } from './trade/book.ts';
import { holdPosition } from './trade/hold.ts';
import { closeProtected } from './trade/protection.ts';
import { windDown } from './trade/watches.ts';
import { searchable, setStatus, startRun, summaryOf } from './trade/run.ts';

/**
 * Broker faults never fail the trade (patched in: histories recorded before keep the old path).
 * An exit that cannot be sent or polled goes back to holding (automatic exits retry); an entry
 * whose cancel is refused keeps being watched; a cancel or exit asked for before the entry is sent
 * is honoured; an exit that fills in part closes that part and sends the rest.
 */
const LEGS_SURVIVE_BROKER_FAULTS = 'legs-survive-broker-faults';

/**
 * Protection rests at the broker (patched in): after the entry fills, the stop-loss (a stop-limit)
 * and the target (a limit) are placed as one-cancels-other orders, which protect the position
 * while no worker runs; exits cancel them first; and the run ends only once its cancelled
 * watchers have (trade/protection.ts).
 */
const RESTING_STOPS = 'resting-stops';

/**
 * Trailing stops (patched in): a trade asked with a trailing distance moves its resting stop with
 * the best price since entry, and PATCH /trades/{id} may set or clear the distance
 * (trade/trailing.ts).
 */
const TRAILING_STOPS = 'trailing-stops';

/**
/**
 * Broker-held OCO (patched in): where the broker holds a stop-loss and a target as one
 * one-cancels-other order (Breeze's GTT OCO, F&O only), the trade places that instead of a pair it
 * keeps one-cancels-other itself, so both can never fill while no worker runs
 * (trade/protection-oco.ts).
 */
const BROKER_OCO = 'broker-oco';

/**
 * Freeze slices (patched in): an F&O leg above the exchange's freeze quantity goes out as slices
 * no bigger than it, entries and exits alike, instead of the risk check refusing the order
 * (trade/slices.ts).
 */
const FREEZE_SLICES = 'freeze-slices';

/**
 * The exit book (patched in): a held position books its stop-loss, target and resting orders with
 * the workers' exit book and waits for its signal, instead of running a watcher activity per
 * position (trade/book.ts, activities/exit-book.ts). Trailing stops keep their watcher.
 */
const EXIT_BOOK = 'exit-book';

/**
 * Every patch above, and order-waits-on-notices (trade/order-watch.ts), as one marker (patched in):
 * a trade started on this code takes them all at once. Each patch's marker comes with an upsert of
 * the TemporalChangeVersion search attribute, a visibility write on the server: seven markers and
 * seven upserts per trade before, one of each now. Its status also starts PENDING from the start's
 * search attributes (src/temporal/trades.ts) instead of one more upsert. A patch added after this
 * one is a patched() call of its own, as before.
 */
const PATCHES_AT_ONCE = 'patches-at-once';

/**
 * The entry placed in the first workflow task (patched in): a trade started with a task timeout of
 * TRADE_TASK_TIMEOUT_MS or more (src/temporal/trades.ts) reserves the risk, places the entry and
 * records its fill as local activities in one workflow task, instead of placing it with an activity
 * and recording the fill in a second task (trade/legs.ts `placeEntryInTask`). Trades started
 * with a shorter task timeout, before this code, keep the activity.
 */
const ENTRY_IN_TASK = 'entry-in-task';

export async function tradeWorkflow(input: TradeWorkflowInput): Promise<TradeSummary> {
  const atOnce = wf.patched(PATCHES_AT_ONCE);
  const entryInTask = !input.resume && wf.workflowInfo().taskTimeoutMs >= TRADE_TASK_TIMEOUT_MS && wf.patched(ENTRY_IN_TASK);
  const run = atOnce
    ? startRun(input, { hardened: true, resting: true, trailing: true, brokerOco: true, slices: true, exitBook: true, waitsOnNotices: true, entryInTask })
    : startRun(input, {
        hardened: wf.patched(LEGS_SURVIVE_BROKER_FAULTS),
        resting: wf.patched(RESTING_STOPS),
        trailing: wf.patched(TRAILING_STOPS),
        brokerOco: wf.patched(BROKER_OCO),
        slices: wf.patched(FREEZE_SLICES),
        exitBook: wf.patched(EXIT_BOOK),
        waitsOnNotices: false,
        entryInTask,
      });
  handleMessages(run);

  if (!input.resume) {
    if (searchable() && !atOnce) setStatus(run, 'PENDING');
    const opened = await enter(run);
    if (!opened) {
      await wf.condition(wf.allHandlersFinished);
      return summaryOf(run);
    }
  }
  for (;;) {
    const exit = await holdPosition(run);
    await unbook(run);
    if (run.resting && (await closeProtected(run, exit))) break;
    if (await exitPosition(run, exit)) break;
  }
  await windDown(run);
  await wf.condition(wf.allHandlersFinished);
  return summaryOf(run);
}
