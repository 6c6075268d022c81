import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { recordedHistories } from '../support/histories.ts';
import { workflowBundleCode } from '../support/stack.ts';

// Every history recorded from a real run (test/replay/histories/<workflowType>/<case>.json) must
// replay against today's workflow code: a change that breaks determinism fails here, before it
// breaks a running workflow in production.
const histories = recordedHistories();

describe('recorded workflow histories replay against the current bundle', () => {
  it('finds recorded histories', () => {
    expect(histories.length).toBeGreaterThan(0);
  });

  for (const h of histories) {
    it(`${h.workflowType}/${h.name} replays without a determinism error`, async () => {
      const results = Worker.runReplayHistories({ workflowBundle: { code: workflowBundleCode() } }, [{ workflowId: h.workflowId, history: h.history }]);
      for await (const result of results) expect(result.error).toBeUndefined();
    });
  }
});
