// Runs in every test process before its tests: a quiet Temporal runtime (once per process).
import { DefaultLogger, Runtime } from '@temporalio/worker';

try {
  Runtime.install({ logger: new DefaultLogger('ERROR'), shutdownSignals: [] });
} catch {
  // already installed in this process
}
