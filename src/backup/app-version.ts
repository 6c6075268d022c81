/**
 * The application's version (package.json), recorded in every backup manifest.
 *
 * @module
 */
import { readFileSync } from 'node:fs';

let version: string | undefined;

export function appVersion(): string {
  version ??= (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  return version;
}
