// Runs before anything that needs node_modules (npm start, npm test): installs them from the lock
// file when they are missing or older than it. Plain JavaScript on purpose: nothing is installed yet.
import { execSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const marker = 'node_modules/.package-lock.json';
const stale = !existsSync(marker) || statSync('package-lock.json').mtimeMs > statSync(marker).mtimeMs + 1000;
if (stale) {
  console.log('Installing node modules (npm ci)...');
  execSync('npm ci --no-audit --no-fund', { stdio: 'inherit' });
}
