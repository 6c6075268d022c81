/**
 * Where a CPU profile's time went: self time by file (a project file, a package, Node's own
 * code) and by function, as a share of the profiled wall time. Usable on its own:
 * `node --import tsx bench/profile-summary.ts bench/results/profile/*.cpuprofile`.
 */
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CpuProfile, ThreadProfile } from './cpu-profile.ts';

export interface ProfileSummary {
  /** Profiled wall time, ms. */
  wallMs: number;
  /** Time spent running JavaScript or native code (not idle), ms. */
  busyMs: number;
  byFile: { file: string; selfMs: number; share: string }[];
  byFunction: { fn: string; selfMs: number; share: string }[];
}

/** `src/activities/risk.ts`, `node_modules/postgres`, `node:internal/...`, or a V8 pseudo-node like `(garbage collector)`. */
export function fileOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const path = url.replace(/^file:\/\//, '');
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (pkg) return `node_modules/${pkg[1]}`;
  const own = /\/((?:src|bench)\/.*)$/.exec(path);
  if (own) return own[1]!;
  return path.startsWith('node:') ? path.replace(/^(node:internal\/[^/]+).*/, '$1') : path;
}

export function summarise(profile: CpuProfile, top = 15): ProfileSummary {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) self.set(samples[i]!, (self.get(samples[i]!) ?? 0) + (deltas[i] ?? 0) / 1000);
  const wallMs = (profile.endTime - profile.startTime) / 1000;
  const byFile = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let idleMs = 0;
  for (const [id, ms] of self) {
    const { functionName, url, lineNumber } = nodes.get(id)!.callFrame;
    if (functionName === '(idle)') {
      idleMs += ms;
      continue;
    }
    const file = fileOf(url, functionName);
    byFile.set(file, (byFile.get(file) ?? 0) + ms);
    const fn = `${functionName || '(anonymous)'} ${file}${url ? `:${lineNumber + 1}` : ''}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + ms);
  }
  const share = (ms: number) => `${Math.round((ms / wallMs) * 1000) / 10}%`;
  const rank = <K extends string>(m: Map<string, number>, key: K) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, ms]) => ({ [key]: name, selfMs: Math.round(ms), share: share(ms) }) as Record<K, string> & { selfMs: number; share: string });
  return { wallMs: Math.round(wallMs), busyMs: Math.round(wallMs - idleMs), byFile: rank(byFile, 'file'), byFunction: rank(byFunction, 'fn') };
}

/** Write each thread's profile to bench/results/profile/<name>-<thread>.cpuprofile; their summaries. */
export async function saveProfiles(name: string, profiles: ThreadProfile[]) {
  const dir = path.resolve('bench/results/profile');
  await mkdir(dir, { recursive: true });
  const threads = [];
  for (const [i, p] of profiles.entries()) {
    const file = path.join(dir, `${name}-${i === 0 ? 'main' : `thread-${i}`}.cpuprofile`);
    await writeFile(file, JSON.stringify(p.profile));
    threads.push({ thread: p.thread, file: path.relative(process.cwd(), file), ...summarise(p.profile) });
  }
  return threads;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const file of process.argv.slice(2)) {
    console.log(file, JSON.stringify(summarise(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile), null, 2));
  }
}
