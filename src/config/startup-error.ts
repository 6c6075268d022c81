/**
 * How an entry point ends when it cannot start: one clear line for a known cause (a setting, an
 * unreachable dependency), the stack only for what nobody foresaw. A bad setting ends with
 * {@link CONFIG_ERROR_EXIT_CODE}, which the launcher's supervisor reads as "do not restart": no
 * number of restarts fixes a setting.
 *
 * @module
 */
import { ConfigError } from '../config.ts';
import { AppError } from '../domain/errors.ts';

/** sysexits.h's EX_CONFIG: "something was found in an unconfigured or misconfigured state". */
export const CONFIG_ERROR_EXIT_CODE = 78;

/** End a process that could not start: a clear message for known causes, the stack otherwise. */
export function exitOnStartupError(err: unknown): never {
  if (err instanceof ConfigError) {
    console.error(`startup failed: ${err.message}`);
    process.exit(CONFIG_ERROR_EXIT_CODE);
  }
  if (err instanceof AppError) console.error(`startup failed: ${err.message}`);
  else console.error('startup failed:', err);
  process.exit(1);
}

/** A listener's "address in use", as the setting that chose the port. */
export function portInUse(err: unknown, setting: string, port: number): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (code !== 'EADDRINUSE') return err;
  return new ConfigError([{ variable: setting, message: `${port} is in use (set ${setting} or PORT_OFFSET)` }]);
}
