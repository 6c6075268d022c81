import type { BufferedMetricUpdate, MetricsBuffer } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { createTemporalMetrics } from '../../src/observability/temporal-metrics.ts';

function fakeBuffer(updates: BufferedMetricUpdate[]): MetricsBuffer {
  return { retrieveUpdates: () => updates.splice(0).values() } as unknown as MetricsBuffer;
}

describe('Temporal SDK metrics on the worker /metrics', () => {
  it('renders counters, gauges and histograms in the Prometheus text format, whatever labels each update has', () => {
    const polls = { name: 'temporal_workflow_task_queue_poll_succeed', kind: 'counter', valueType: 'int', description: 'Polls that got a task' } as const;
    const slots = { name: 'worker_task_slots_available', kind: 'gauge', valueType: 'int' } as const;
    const latency = { name: 'temporal_activity_execution_latency', kind: 'histogram', valueType: 'int' } as const;
    const queue = { namespace: 'default', task_queue: 'breeze-trader' };
    const updates: BufferedMetricUpdate[] = [
      { metric: polls, value: 1, attributes: queue },
      { metric: polls, value: 2, attributes: queue },
      { metric: slots, value: 100, attributes: { ...queue, worker_type: 'ActivityWorker' } },
      { metric: slots, value: 98, attributes: { ...queue, worker_type: 'ActivityWorker' } },
      { metric: latency, value: 20, attributes: { activity_type: 'placeOrder' } },
      { metric: latency, value: 700, attributes: { activity_type: 'placeOrder', status: 'failed "quoted"' } },
    ];
    const metrics = createTemporalMetrics(fakeBuffer(updates));
    const text = metrics.render();
    metrics.stop();
    expect(text).toContain('# HELP temporal_workflow_task_queue_poll_succeed Polls that got a task\n# TYPE temporal_workflow_task_queue_poll_succeed counter\n');
    expect(text).toContain('temporal_workflow_task_queue_poll_succeed{namespace="default",task_queue="breeze-trader"} 3\n');
    expect(text).toContain('temporal_worker_task_slots_available{namespace="default",task_queue="breeze-trader",worker_type="ActivityWorker"} 98\n');
    expect(text).toContain('temporal_activity_execution_latency_bucket{activity_type="placeOrder",le="25"} 1\n');
    expect(text).toContain('temporal_activity_execution_latency_bucket{activity_type="placeOrder",status="failed \\"quoted\\"",le="1000"} 1\n');
    expect(text).toContain('temporal_activity_execution_latency_bucket{activity_type="placeOrder",le="+Inf"} 1\n');
    expect(text).toContain('temporal_activity_execution_latency_sum{activity_type="placeOrder"} 20\n');
    expect(text).toContain('temporal_activity_execution_latency_count{activity_type="placeOrder"} 1\n');
  });

  it('renders nothing before the SDK recorded anything', () => {
    const metrics = createTemporalMetrics(fakeBuffer([]));
    expect(metrics.render()).toBe('');
    metrics.stop();
  });
});
