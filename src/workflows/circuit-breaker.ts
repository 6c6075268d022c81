/**
 * The circuit breaker: one long-lived workflow per account holding its trading state (ACTIVE,
 * REDUCING: exits only, HALTED). It trips on the daily loss limit, on repeated broker failures in
 * a window, on a losing streak (with a cool-down that ends by itself) and on the manual kill
 * switch. A trip writes the state the risk reservation reads, audits, alerts and cancels working
 * entries; a halt with flatten also closes every position and confirms the book is flat.
 * Only an admin resumes (or the end of a cool-down).
 *
 * @module
 */
import * as wf from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import type { Actor } from '../audit/events.ts';
import {
  type BreakerInput,
  type BreakerState,
  breakerState,
  brokerFailed,
  halt,
  reduce,
  resume,
  tradeClosed,
  type TradingState,
} from './messages.ts';

const act = wf.proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

const RESUME_WRITES_STATE = 'resume-writes-state';

/** How long the breaker keeps checking that a flattened book is flat before it says it is not. */
const FLATTEN_CONFIRM_LOOKS = 60;
/** Trades are asked to exit again every this many looks. */
const FLATTEN_ASK_EVERY_LOOKS = 5;

export async function circuitBreakerWorkflow(input: BreakerInput): Promise<void> {
  const { accountId, settings } = input;
  const system: Actor = { type: 'system', id: 'circuit-breaker' };
  const state: BreakerState = input.state ?? {
    accountId,
    tradingState: 'ACTIVE',
    since: new Date().toISOString(),
    brokerFailures: [],
    consecutiveLosses: 0,
  };
  /** The end of a loss cool-down, when the breaker resumes by itself. */
  let autoResumeAt: number | undefined = state.reason?.startsWith('LOSS_STREAK') && state.resumeNotBefore ? Date.parse(state.resumeNotBefore) : undefined;
  let flattenRequestedBy: Actor | undefined;
  const queued: (() => Promise<void>)[] = [];

  // One change at a time: handlers and the main loop all go through this chain.
  let chain: Promise<void> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = chain.then(fn);
    chain = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  };

  async function moveTo(target: TradingState, reason: string, actor: Actor, resumeNotBefore?: number, requestId?: string): Promise<void> {
    const notBefore = resumeNotBefore === undefined ? undefined : new Date(resumeNotBefore).toISOString();
    await act.applyTradingState({ accountId, state: target, reason, actor, resumeNotBefore: notBefore, requestId });
    Object.assign(state, { tradingState: target, reason: target === 'ACTIVE' ? undefined : reason, since: new Date().toISOString(), resumeNotBefore: notBefore });
    if (target !== 'ACTIVE') await act.cancelWorkingEntries(accountId, actor);
  }

  const trip = (reason: string, actor: Actor, resumeNotBefore?: number) =>
    serial(async () => {
      if (state.tradingState === 'HALTED') return;
      await moveTo('HALTED', reason, actor, resumeNotBefore);
    });

  wf.setHandler(breakerState, () => state);

  wf.setHandler(halt, (req) =>
    serial(async () => {
      const holdUntil = req.minimumHoldMs ? Date.now() + req.minimumHoldMs : undefined;
      await moveTo('HALTED', `MANUAL: ${req.reason}`, req.requestedBy, holdUntil, req.requestId);
      autoResumeAt = undefined;
      if (req.flatten) flattenRequestedBy = req.requestedBy;
      return state;
    }),
  );

  wf.setHandler(reduce, (req) =>
    serial(async () => {
      if (state.tradingState === 'ACTIVE') await moveTo('REDUCING', req.reason, req.requestedBy);
      // Only the daily-loss guard asks this; histories recorded before it never carry the flag.
      if (req.flatten) flattenRequestedBy = req.requestedBy;
      return state;
    }),
  );

  wf.setHandler(
    resume,
    (req) =>
      serial(async () => {
        // Patched in: a resume always writes ACTIVE. The database may hold HALTED that this
        // workflow never set (a forced restore halts there directly when Temporal is out of
        // reach); a resume that looked only at this state did nothing and left trading halted.
        const writesAlways = wf.patched(RESUME_WRITES_STATE);
        if (writesAlways || state.tradingState !== 'ACTIVE') await moveTo('ACTIVE', 'resumed', req.requestedBy, undefined, req.requestId);
        state.consecutiveLosses = 0;
        state.brokerFailures = [];
        autoResumeAt = undefined;
        return state;
      }),
    {
      validator: (_req) => {
        if (state.resumeNotBefore && Date.parse(state.resumeNotBefore) > Date.now()) {
          throw wf.ApplicationFailure.nonRetryable(`Trading may not resume before ${state.resumeNotBefore}`, 'resume-too-early');
        }
      },
    },
  );

  wf.setHandler(tradeClosed, (closed) => {
    state.consecutiveLosses = closed.realizedPnlPaise < 0 ? state.consecutiveLosses + 1 : 0;
    if (closed.dayLossPaise >= closed.dailyLossLimitPaise) {
      queued.push(() => trip(`DAILY_LOSS_LIMIT: day loss ${closed.dayLossPaise} paise reached the limit ${closed.dailyLossLimitPaise}`, system));
    } else if (settings.lossStreakThreshold > 0 && state.consecutiveLosses >= settings.lossStreakThreshold) {
      const until = Date.now() + settings.lossCooldownMs;
      queued.push(async () => {
        if (state.tradingState !== 'ACTIVE') return;
        await trip(`LOSS_STREAK: ${state.consecutiveLosses} losing trades in a row; cool-down`, system, until);
        autoResumeAt = until;
        state.consecutiveLosses = 0;
      });
    }
  });

  wf.setHandler(brokerFailed, (failure) => {
    const windowStart = Date.now() - settings.brokerFailureWindowMs;
    state.brokerFailures = [...state.brokerFailures, failure.at].filter((at) => Date.parse(at) >= windowStart);
    if (state.brokerFailures.length >= settings.brokerFailureThreshold) {
      queued.push(() => trip(`BROKER_FAILURES: ${state.brokerFailures.length} broker failures within ${settings.brokerFailureWindowMs / 1000}s`, system));
    }
  });

  for (;;) {
    const wake = autoResumeAt === undefined ? undefined : Math.max(0, autoResumeAt - Date.now());
    await wf.condition(() => queued.length > 0 || flattenRequestedBy !== undefined || wf.workflowInfo().continueAsNewSuggested, wake);
    while (queued.length) await queued.shift()!();
    if (flattenRequestedBy) {
      const by = flattenRequestedBy;
      flattenRequestedBy = undefined;
      await flatten(by);
    }
    if (autoResumeAt !== undefined && Date.now() >= autoResumeAt) {
      autoResumeAt = undefined;
      await serial(async () => {
        if (state.tradingState === 'HALTED' && state.reason?.startsWith('LOSS_STREAK')) await moveTo('ACTIVE', 'cool-down ended', system);
      });
    }
    if (wf.workflowInfo().continueAsNewSuggested) {
      await wf.condition(wf.allHandlersFinished);
      await wf.continueAsNew<typeof circuitBreakerWorkflow>({ accountId, settings, state });
    }
  }

  async function flatten(by: Actor): Promise<void> {
    // Patched in: trades that came to hold a position after the first ask (an entry that filled
    // before its cancel landed) are asked too, and a book that stays open is audited.
    const persistent = wf.patched('flatten-asks-again');
    await act.flattenPositions(accountId, by);
    for (let look = 0; look < FLATTEN_CONFIRM_LOOKS; look++) {
      if (await act.bookIsFlat(accountId)) return;
      await wf.sleep('2 seconds');
      if (persistent && look % FLATTEN_ASK_EVERY_LOOKS === FLATTEN_ASK_EVERY_LOOKS - 1) await act.flattenPositions(accountId, by);
    }
    if (persistent) await act.reportFlattenIncomplete(accountId, by);
    else wf.log.error('book not flat after flatten', { accountId });
  }
}
