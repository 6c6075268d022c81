/**
 * The file channel: one JSON line per notification in `DATA_DIR/alerts/alerts-YYYY-MM-DD.jsonl`
 * (UTC day), for log shippers and for an operator with only a shell.
 *
 * @module
 */
import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { type AlertChannel, ChannelUnavailableError } from '../message.ts';

export function fileChannel(dir: string): AlertChannel {
  return {
    name: 'file',
    async send(m) {
      const file = path.join(dir, `alerts-${m.occurredAt.slice(0, 10)}.jsonl`);
      try {
        await mkdir(dir, { recursive: true });
        await appendFile(file, `${JSON.stringify(m)}\n`, { mode: 0o640 });
      } catch (err) {
        throw new ChannelUnavailableError('file', `cannot append to ${file}`, err);
      }
    },
  };
}
