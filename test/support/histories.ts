/**
 * Recording workflow histories for the replay tests: with RECORD_HISTORIES=1 a test that ran a
 * real workflow saves its history under `test/replay/histories/<workflowType>/<case>.json`.
 *
 * Why not `historyToJSON` from `@temporalio/common/lib/proto-utils`: in this install
 * `@temporalio/common` and `@temporalio/proto` each get their own nested copy of protobufjs 8 (the
 * root holds protobufjs 7 for @grpc/proto-loader), and protojson's `instanceof Type` check fails
 * across the two copies ("type must be a Type"). The history message's own `toJSON()` and
 * `History.fromObject()` stay inside @temporalio/proto's copy and round-trip exactly.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

export const HISTORIES_DIR = path.resolve('test/replay/histories');

type History = temporal.api.history.v1.IHistory;

export async function recordHistory(handle: WorkflowHandle, workflowType: string, name: string): Promise<void> {
  if (!process.env.RECORD_HISTORIES) return;
  const history = temporal.api.history.v1.History.fromObject(await handle.fetchHistory());
  const dir = path.join(HISTORIES_DIR, workflowType);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `${name}.json`), `${JSON.stringify(history.toJSON(), null, 1)}\n`);
}

/** Every recorded history: `<workflowType>/<case>.json`. */
export function recordedHistories(): { workflowType: string; name: string; workflowId: string; history: History }[] {
  const out: { workflowType: string; name: string; workflowId: string; history: History }[] = [];
  for (const workflowType of readdirSync(HISTORIES_DIR, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()) {
    for (const file of readdirSync(path.join(HISTORIES_DIR, workflowType)).filter((f) => f.endsWith('.json')).sort()) {
      const json = JSON.parse(readFileSync(path.join(HISTORIES_DIR, workflowType, file), 'utf8')) as Record<string, unknown>;
      out.push({ workflowType, name: file.slice(0, -5), workflowId: `${workflowType}-${file.slice(0, -5)}`, history: temporal.api.history.v1.History.fromObject(json) });
    }
  }
  return out;
}
