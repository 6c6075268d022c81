import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { expect, inject, it } from 'vitest';
import { historyFromJson } from '../support/history-json.ts';

const DIR = path.resolve('test/replay/histories/backupWorkflow');

it('replays every recorded backupWorkflow history against the current workflow bundle without error', async () => {
  const files = (await readdir(DIR)).filter((f) => f.endsWith('.json')).sort();
  expect(files.length).toBeGreaterThan(0);
  const histories = await Promise.all(
    files.map(async (file) => ({ workflowId: `replay-${path.basename(file, '.json')}`, history: historyFromJson(await readFile(path.join(DIR, file), 'utf8')) })),
  );
  const outcomes: { workflowId: string; error?: string }[] = [];
  for await (const result of Worker.runReplayHistories({ workflowBundle: { codePath: inject('workflowBundlePath') } }, histories)) {
    outcomes.push({ workflowId: result.workflowId, ...(result.error ? { error: String(result.error) } : {}) });
  }
  expect(outcomes).toEqual(histories.map((h) => ({ workflowId: h.workflowId })));
});
