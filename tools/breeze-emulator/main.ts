/**
 * `npm run breeze:emulator [-- --port 8790]`: the Breeze emulator as a process, for running the
 * system against it by hand. It uses BREEZE_APP_KEY / BREEZE_SECRET_KEY / BREEZE_API_SESSION when
 * set (else development values it prints), and BREEZE_EMULATOR_PORT unless `--port` is given. Its
 * two streaming servers listen on the next two ports (`--stream-port`, `--feeds-port` to choose;
 * any free ports when the REST port is 0).
 *
 * @module
 */
import { parseArgs } from 'node:util';
import { readConfig } from '../../src/config.ts';
import { startBreezeEmulator } from './server.ts';

const { values } = parseArgs({ options: { port: { type: 'string' }, host: { type: 'string' }, 'stream-port': { type: 'string' }, 'feeds-port': { type: 'string' } } });
const config = readConfig();
const appKey = config.broker.BREEZE_APP_KEY ?? 'emulator-app-key';
const secretKey = config.broker.BREEZE_SECRET_KEY ?? 'emulator-secret-key';
const port = values.port ? Number(values.port) : config.ports.BREEZE_EMULATOR_PORT;
const emulator = await startBreezeEmulator({
  appKey,
  secretKey,
  port,
  liveStreamPort: values['stream-port'] ? Number(values['stream-port']) : port ? port + 1 : 0,
  liveFeedsPort: values['feeds-port'] ? Number(values['feeds-port']) : port ? port + 2 : 0,
  host: values.host ?? '127.0.0.1',
  apiSessions: config.broker.BREEZE_API_SESSION ? [config.broker.BREEZE_API_SESSION] : undefined,
});
// printed for the person who started it: development values unless they set their own
console.log(`Breeze emulator listening: BREEZE_BASE_URL=${emulator.url}`);
if (!config.broker.BREEZE_APP_KEY) console.log(`  BREEZE_APP_KEY=${appKey} BREEZE_SECRET_KEY=${secretKey}`);
if (!config.broker.BREEZE_API_SESSION) console.log(`  BREEZE_API_SESSION=${emulator.apiSession}`);
console.log(`  streaming (Socket.IO): quotes ${emulator.liveStreamUrl}, order notifications ${emulator.liveFeedsUrl}`);
console.log(`  security master: ${emulator.securityMasterUrl}`);
console.log(`  control API: http://127.0.0.1:${emulator.port}/__control/ (quotes, login, expire-session, faults, requests, down)`);
const stop = () => {
  void emulator.stop().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
