import type { Client } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Config } from '../../src/config.ts';
import { SCHEDULED_KINDS } from '../../src/domain/backups.ts';
import { backupScheduleId, describeBackupSchedule, ensureBackupSchedules } from '../../src/temporal/schedules.ts';
import { testConfig } from '../support/config.ts';
import { connectTemporal } from '../support/stack.ts';

let client: Client;
let connection: NativeConnection;
let config: Config;
beforeAll(async () => {
  ({ client, connection } = await connectTemporal());
  config = testConfig();
});
afterAll(async () => {
  for (const kind of SCHEDULED_KINDS) await client?.schedule.getHandle(backupScheduleId(config, kind)).delete().catch(() => undefined);
  await connection?.close();
  await client?.connection.close();
});

async function ourSchedules(): Promise<string[]> {
  const ids: string[] = [];
  for await (const s of client.schedule.list()) if (s.scheduleId.startsWith(`${config.temporal.TEMPORAL_TASK_QUEUE}-backup-`)) ids.push(s.scheduleId);
  return ids.sort();
}

it('creates the daily, weekly and monthly schedules, and a second call updates them instead of duplicating them', async () => {
  const first = await ensureBackupSchedules(client, config);
  expect(first.created).toHaveLength(3);
  const second = await ensureBackupSchedules(client, config);
  expect(second).toEqual({ created: [], updated: first.created });
  const expected = SCHEDULED_KINDS.map((k) => backupScheduleId(config, k)).sort();
  // Schedule listing is eventually consistent (visibility): poll until it shows ours.
  await expect.poll(ourSchedules, { timeout: 20_000, interval: 500 }).toEqual(expected);
});

it('sets IST times, the overlap policy, the catch-up window and the execution timeout explicitly', async () => {
  await ensureBackupSchedules(client, config);
  const daily = await client.schedule.getHandle(backupScheduleId(config, 'daily')).describe();
  expect(daily.spec.timezone).toBe('Asia/Kolkata');
  expect(daily.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 16, end: 16, step: 1 }], minute: [{ start: 0, end: 0, step: 1 }] });
  expect(daily.policies).toMatchObject({ overlap: 'SKIP', catchupWindow: 86_400_000, pauseOnFailure: false });
  expect(daily.action).toMatchObject({ workflowType: 'backupWorkflow', taskQueue: config.temporal.TEMPORAL_TASK_QUEUE, args: [{ kind: 'daily' }], workflowExecutionTimeout: 240 * 60_000 });
  // 16:00 IST is 10:30 UTC.
  expect(daily.info.nextActionTimes[0]?.toISOString()).toMatch(/T10:30:00\.000Z$/);
  const weekly = await client.schedule.getHandle(backupScheduleId(config, 'weekly')).describe();
  expect(weekly.spec.calendars?.[0]?.dayOfWeek).toEqual([{ start: 'SUNDAY', end: 'SUNDAY', step: 1 }]);
  const monthly = await client.schedule.getHandle(backupScheduleId(config, 'monthly')).describe();
  expect(monthly.spec.calendars?.[0]?.dayOfMonth).toEqual([{ start: 1, end: 1, step: 1 }]);
});

it('brings an existing schedule in line with changed settings and keeps an operator pause', async () => {
  await ensureBackupSchedules(client, config);
  await client.schedule.getHandle(backupScheduleId(config, 'daily')).pause('maintenance');
  await ensureBackupSchedules(client, { ...config, backup: { ...config.backup, BACKUP_DAILY_TIME: '16:45' } });
  const state = await describeBackupSchedule(client, config, 'daily');
  expect(state).toMatchObject({ paused: true });
  const daily = await client.schedule.getHandle(backupScheduleId(config, 'daily')).describe();
  expect(daily.spec.calendars?.[0]?.minute).toEqual([{ start: 45, end: 45, step: 1 }]);
});
