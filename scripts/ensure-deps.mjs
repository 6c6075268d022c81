// Runs before anything that needs node_modules (npm start, npm test): installs them from the lock
// file when they are missing or were installed from another lock file. Plain JavaScript on purpose:
// nothing is installed yet. The lock's digest is compared, not file times: a fresh checkout or a
// second work tree gives the lock a new mtime without changing what it locks.
import { execSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';

const marker = 'node_modules/.installed-lock.sha256';
const digest = createHash('sha256').update(readFileSync('package-lock.json')).digest('hex');
// No digest yet but an install newer than the lock (a plain `npm ci` just ran): take it as current.
const npmMarker = 'node_modules/.package-lock.json';
if (!existsSync(marker) && existsSync(npmMarker) && statSync(npmMarker).mtimeMs >= statSync('package-lock.json').mtimeMs) {
  writeFileSync(marker, `${digest}\n`);
}
const installed = existsSync(marker) ? readFileSync(marker, 'utf8').trim() : undefined;
if (installed !== digest) {
  console.log('Installing node modules (npm ci)...');
  execSync('npm ci --no-audit --no-fund', { stdio: 'inherit' });
  writeFileSync(marker, `${digest}\n`);
}
