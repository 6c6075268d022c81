import pino from 'pino';

/** A logger that drops everything (tests assert behaviour, not log lines). */
export const silentLogger = pino({ level: 'silent' });

/** A logger that keeps its lines in memory, for tests about what is (not) logged. */
export function capturingLogger(): { log: pino.Logger; lines: () => Record<string, unknown>[] } {
  const lines: string[] = [];
  const log = pino({ level: 'trace' }, { write: (line: string) => void lines.push(line) });
  return { log, lines: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}
