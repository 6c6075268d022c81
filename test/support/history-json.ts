/**
 * Workflow histories as proto3 JSON (the format of `temporal workflow show -o json`), for the
 * committed replay cases.
 *
 * Why not `historyToJSON` / `historyFromJSON` from `@temporalio/common/lib/proto-utils`: in this
 * install npm nests two copies of protobufjs 8 (under @temporalio/common and @temporalio/proto,
 * the root slot being protobufjs 7 for @grpc/proto-loader), and protojson's `instanceof Type`
 * check fails across copies ("type must be a Type"), both ways. This does the same conversion
 * with the protobufjs copy that @temporalio/proto's types were built with. Once the SDK's copies
 * line up, these files still load with `historyFromJSON`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import proto from '@temporalio/proto';
import { testBroker } from './market.ts';

const requireFromProto = createRequire(createRequire(import.meta.url).resolve('@temporalio/proto'));
const protojson = requireFromProto('protobufjs/ext/protojson') as {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, options?: { ignoreUnknownFields?: boolean }): unknown;
};
const historyType = (proto as unknown as { lookupType(name: string): unknown }).lookupType('temporal.api.history.v1.History');
const HistoryMessage = proto.temporal.api.history.v1.History;
export type History = proto.temporal.api.history.v1.IHistory;

export function historyToJson(history: History): string {
  return `${JSON.stringify(protojson.toJson(historyType, HistoryMessage.fromObject(history)), null, 2)}\n`;
}

export function historyFromJson(text: string): History {
  return protojson.fromJson(historyType, JSON.parse(text), { ignoreUnknownFields: true }) as History;
}

/**
 * Record a real run's history for the replay suite when RECORD_HISTORIES is set
 * (`npm run histories:record`), from one project only (`recordedOn`, the paper one unless the case
 * only happens on Breeze): a file that runs on both brokers records each case once. Always replay
 * it against the current bundle, so the recording that gets committed is known to replay (on both
 * brokers).
 */
export async function recordHistory(client: Client, workflowId: string, workflowType: string, caseName: string, bundleCode: string, recordedOn: 'paper' | 'breeze' = 'paper'): Promise<void> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const text = historyToJson(history);
  await Worker.runReplayHistory({ workflowBundle: { code: bundleCode } }, historyFromJson(text), workflowId);
  if (process.env.RECORD_HISTORIES && testBroker() === recordedOn) {
    const dir = path.resolve('test/replay/histories', workflowType);
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, `${caseName}.json`), text);
  }
}
