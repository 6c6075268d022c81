/**
 * System gauges of this process's host: CPU use (from the kernel's CPU times between two samples),
 * memory in use, disk free under DATA_DIR (`fs.statfs`) and event-loop lag. prom-client's defaults
 * already export the process's own CPU seconds, heap and lag histogram; these are the ratios alert
 * rules are written over.
 *
 * @module
 */
import { statfs } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Gauge, type Registry } from 'prom-client';

export interface SystemSample {
  cpuRatio: number | null;
  memoryRatio: number;
  diskFreeRatio: number | null;
  diskFreeBytes: number | null;
  eventLoopLagSeconds: number;
}

export interface SystemSampler {
  sample(): Promise<SystemSample>;
  stop(): void;
}

function cpuTimes(): { idle: number; total: number } {
  let idle = 0;
  let total = 0;
  for (const cpu of os.cpus()) {
    const t = cpu.times;
    idle += t.idle;
    total += t.user + t.nice + t.sys + t.idle + t.irq;
  }
  return { idle, total };
}

/** Free share of the file system holding `dir` (or its nearest existing parent). */
async function diskFree(dir: string): Promise<{ ratio: number; bytes: number } | null> {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    try {
      const s = await statfs(d);
      return s.blocks > 0 ? { ratio: s.bavail / s.blocks, bytes: s.bavail * s.bsize } : null;
    } catch {
      if (d === path.dirname(d)) return null;
    }
  }
}

export function createSystemSampler(registry: Registry, dataDir: string): SystemSampler {
  const gauge = (name: string, help: string) => new Gauge({ name, help, registers: [registry] });
  const cpu = gauge('breeze_system_cpu_ratio', 'Host CPU in use between the last two samples (0..1)');
  const memory = gauge('breeze_system_memory_ratio', 'Host memory in use (0..1), from MemAvailable');
  const diskRatio = gauge('breeze_disk_free_ratio', 'Free share of the file system under DATA_DIR (0..1)');
  const diskBytes = gauge('breeze_disk_free_bytes', 'Free bytes of the file system under DATA_DIR');
  const lag = gauge('breeze_event_loop_lag_seconds', 'Event-loop delay, 99th percentile since the last sample');
  const delay = monitorEventLoopDelay({ resolution: 20 });
  delay.enable();
  let previous = cpuTimes();

  return {
    async sample() {
      const now = cpuTimes();
      const total = now.total - previous.total;
      const cpuRatio = total > 0 ? Math.min(1, Math.max(0, 1 - (now.idle - previous.idle) / total)) : null;
      previous = now;
      const memoryRatio = 1 - os.freemem() / os.totalmem();
      const disk = await diskFree(dataDir);
      const eventLoopLagSeconds = delay.count > 0 ? delay.percentile(99) / 1e9 : 0;
      delay.reset();
      if (cpuRatio !== null) cpu.set(cpuRatio);
      memory.set(memoryRatio);
      if (disk) {
        diskRatio.set(disk.ratio);
        diskBytes.set(disk.bytes);
      }
      lag.set(eventLoopLagSeconds);
      return { cpuRatio, memoryRatio, diskFreeRatio: disk?.ratio ?? null, diskFreeBytes: disk?.bytes ?? null, eventLoopLagSeconds };
    },
    stop() {
      delay.disable();
    },
  };
}
