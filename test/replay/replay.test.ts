/**
 * Determinism: every history recorded from a real run (test/replay/histories/<workflowType>/*.json)
 * replays against the current workflow bundle. A workflow change that would break running
 * workflows fails here; `npm run histories:record` refreshes the recordings on purpose.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { expect, inject, it } from 'vitest';
import { historyFromJson } from '../support/history-json.ts';

const ROOT = path.resolve('test/replay/histories');

async function recorded() {
  const out: { type: string; file: string }[] = [];
  for (const type of (await readdir(ROOT)).sort()) {
    for (const file of (await readdir(path.join(ROOT, type))).filter((f) => f.endsWith('.json')).sort()) out.push({ type, file });
  }
  return out;
}

it('has recorded histories of every workflow type', async () => {
  const types = new Set((await recorded()).map((r) => r.type));
  expect([...types].sort()).toEqual(['alertDeliveryWorkflow', 'alertEvaluatorWorkflow', 'backupWorkflow', 'basketWorkflow', 'circuitBreakerWorkflow', 'dailyLossGuardWorkflow', 'dailyReportWorkflow', 'reconciliationWorkflow', 'retentionWorkflow', 'tradeWorkflow']);
});

it('replays every recorded history against the current workflow bundle without error', async () => {
  const files = await recorded();
  const histories = await Promise.all(
    files.map(async ({ type, file }) => ({ workflowId: `replay-${type}-${path.basename(file, '.json')}`, history: historyFromJson(await readFile(path.join(ROOT, type, file), 'utf8')) })),
  );
  const outcomes: { workflowId: string; error?: string }[] = [];
  for await (const result of Worker.runReplayHistories({ workflowBundle: { codePath: inject('workflowBundlePath') } }, histories)) {
    outcomes.push({ workflowId: result.workflowId, ...(result.error ? { error: String(result.error) } : {}) });
  }
  expect(outcomes).toEqual(histories.map((h) => ({ workflowId: h.workflowId })));
});
