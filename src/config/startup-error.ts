/**
 * How an entry point ends when it cannot start: one clear line for a known cause (a setting, an
 * unreachable dependency), the stack only for what nobody foresaw.
 *
 * @module
 */
import { ConfigError } from '../config.ts';
import { AppError } from '../domain/errors.ts';

/** End a process that could not start: a clear message for known causes, the stack otherwise. */
export function exitOnStartupError(err: unknown): never {
  if (err instanceof ConfigError || err instanceof AppError) console.error(`startup failed: ${err.message}`);
  else console.error('startup failed:', err);
  process.exit(1);
}
