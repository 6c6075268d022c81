import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkWebhookSignature } from '../../src/domain/webhook-signature.ts';
import { ensureAlertEvaluator, wakeAlertEvaluator } from '../../src/temporal/alert-evaluator.ts';
import { alertDeliveryWorkflowId, alertEvaluatorWorkflowId } from '../../src/workflows/alert-messages.ts';
import { recordHistory } from '../support/history-json.ts';
import { freePort } from '../support/ports.ts';
import { eventually, type ReceivedHook, type ReceivedMail, startSmtpReceiver, startWebhookReceiver } from '../support/receivers.ts';
import { ownAccountId, startStack, type TestStack, workflowBundleCode } from '../support/stack.ts';

const SECRET = 'alert-webhook-secret-0123456789';
let stack: TestStack;
let admin: string;
let smtpPort: number;
let hookPort: number;
const mails: ReceivedMail[] = [];
const hooks: ReceivedHook[] = [];

beforeAll(async () => {
  [smtpPort, hookPort] = [await freePort(), await freePort()];
  stack = await startStack({
    settings: {
      ACCOUNT_ID: ownAccountId(),
      ALERT_CHANNELS: 'log,file,webhook,email',
      ALERT_WEBHOOK_URL: `http://127.0.0.1:${hookPort}/alerts`,
      ALERT_WEBHOOK_SECRET: SECRET,
      ALERT_EMAIL_TO: 'ops@example.test',
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtpPort),
      SMTP_FROM: 'breeze-trader <alerts@example.test>',
      ALERT_EVAL_INTERVAL_S: '5',
      ALERT_RETRY_MAX_S: '1',
      ALERT_COOLDOWN_S: '0',
      // Rules that depend on this machine's load would make the counts below flaky.
      ALERT_RULES: JSON.stringify(['cpu_high', 'memory_high', 'disk_low'].map((id) => ({ id, disabled: true }))),
    },
  });
  admin = (await stack.login()).accessToken;
});

afterAll(async () => {
  await stack?.client.workflow.getHandle(alertEvaluatorWorkflowId(stack.config.temporal.TEMPORAL_TASK_QUEUE)).terminate('test over').catch(() => undefined);
  await stack?.stop();
});

const deliveries = (rule: string, status: string) =>
  stack.db.sql<{ channel: string; status: string; attempts: number; lastError: string | null }[]>`
    select d.channel, d.status, d.attempts, d.last_error as "lastError" from alert_deliveries d join alert_events e on e.id = d.event_id
    where e.rule_id = ${rule} and e.status = ${status} order by d.channel`;

const hooksFor = (rule: string, status: string) => hooks.filter((h) => (JSON.parse(h.body) as { ruleId: string; status: string }).ruleId === rule && (JSON.parse(h.body) as { status: string }).status === status);
const mailsFor = (rule: string, status: string) => mails.filter((m) => m.raw.includes(`[${status} critical] breeze-trader ${rule}`));

describe('alert delivery through Temporal', () => {
  it('delivers to a webhook and an SMTP server that were down once they are back, then the resolution', async () => {
    // Both receivers are down: nothing listens on their ports yet.
    const halted = await stack.request('/risk/halt', { method: 'POST', token: admin, body: JSON.stringify({ reason: 'alert delivery test' }) });
    expect(halted.status).toBe(200);
    await ensureAlertEvaluator(stack.client, stack.config);

    // The evaluator fires the alert and the delivery activities fail (and are retried) while the channels are down.
    await eventually(async () => {
      const d = await deliveries('circuit_breaker_tripped', 'FIRING');
      const failing = d.filter((x) => (x.channel === 'webhook' || x.channel === 'email') && x.status === 'PENDING' && x.attempts >= 2);
      return failing.length === 2 && d;
    }, 60_000, 'failed delivery attempts at both channels');
    expect(hooks).toHaveLength(0);
    expect(mails).toHaveLength(0);

    const smtp = await startSmtpReceiver(smtpPort, mails);
    const hook = await startWebhookReceiver(hookPort, hooks);
    try {
      await eventually(() => hooksFor('circuit_breaker_tripped', 'FIRING').length > 0 && mailsFor('circuit_breaker_tripped', 'FIRING').length > 0, 60_000, 'the firing alert at both receivers');
      const [firing] = hooksFor('circuit_breaker_tripped', 'FIRING');
      const check = checkWebhookSignature([SECRET], firing!.headers['x-signature-timestamp'] as string, firing!.headers['x-signature'] as string, firing!.body, Math.floor(Date.now() / 1000), 300);
      expect(check).toEqual({ ok: true });
      expect(JSON.parse(firing!.body)).toMatchObject({ type: 'alert', ruleId: 'circuit_breaker_tripped', severity: 'critical', labels: { account: stack.config.account.ACCOUNT_ID } });
      const [mail] = mailsFor('circuit_breaker_tripped', 'FIRING');
      expect(mail!.to).toEqual(['ops@example.test']);
      expect(mail!.raw).toContain('Circuit breaker tripped');
      await eventually(async () => (await deliveries('circuit_breaker_tripped', 'FIRING')).every((d) => d.status === 'DELIVERED'), 30_000, 'deliveries recorded');

      // Back to ACTIVE: the resolution reaches every channel, once.
      const resumed = await stack.request('/risk/resume', { method: 'POST', token: admin });
      expect(resumed.status).toBe(200);
      await wakeAlertEvaluator(stack.client, stack.config);
      await eventually(() => hooksFor('circuit_breaker_tripped', 'RESOLVED').length > 0 && mailsFor('circuit_breaker_tripped', 'RESOLVED').length > 0, 60_000, 'the resolution at both receivers');
      await wakeAlertEvaluator(stack.client, stack.config);
      await eventually(async () => (await deliveries('circuit_breaker_tripped', 'RESOLVED')).every((d) => d.status === 'DELIVERED') || undefined, 30_000, 'resolution deliveries recorded');
      expect(hooksFor('circuit_breaker_tripped', 'FIRING')).toHaveLength(1);
      expect(hooksFor('circuit_breaker_tripped', 'RESOLVED')).toHaveLength(1);

      const alerts = await stack.request('/monitoring/alerts', { token: admin });
      const body = (await alerts.json()) as { recent: { ruleId: string; status: string; deliveries: { channel: string; status: string }[] }[] };
      const resolved = body.recent.find((e) => e.ruleId === 'circuit_breaker_tripped' && e.status === 'RESOLVED');
      expect(resolved?.deliveries.map((d) => d.channel)).toEqual(['email', 'file', 'log', 'webhook']);

      const files = readdirSync(path.join(stack.config.dataDir, 'alerts'));
      const lines = files.flatMap((f) => readFileSync(path.join(stack.config.dataDir, 'alerts', f), 'utf8').trim().split('\n'));
      expect(lines.map((l) => JSON.parse(l) as { ruleId: string; status: string }).filter((l) => l.ruleId === 'circuit_breaker_tripped').map((l) => l.status)).toEqual(['FIRING', 'RESOLVED']);

      // Recorded for the replay suite (RECORD_HISTORIES=1), and replayed against the bundle either way.
      await recordHistory(stack.client, alertEvaluatorWorkflowId(stack.config.temporal.TEMPORAL_TASK_QUEUE), 'alertEvaluatorWorkflow', 'breaker-fires-and-resolves', workflowBundleCode());
      const [event] = await stack.db.sql<{ id: number }[]>`select id from alert_events where rule_id = 'circuit_breaker_tripped' and status = 'FIRING'`;
      await recordHistory(stack.client, alertDeliveryWorkflowId(stack.config.temporal.TEMPORAL_TASK_QUEUE, event!.id, 'webhook'), 'alertDeliveryWorkflow', 'webhook-down-then-back', workflowBundleCode());
    } finally {
      await smtp.stop();
      await hook.stop();
    }
  }, 240_000);
});
