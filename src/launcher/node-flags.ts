/**
 * The V8 flags the worker and the API run with, wherever they are started: `npm start` (start.ts),
 * `npm run worker` / `npm run api`, the Dockerfile and docker-compose.yml, and `npm run bench`, whose
 * process hosts the API and worker it measures (test/unit/deploy-files.test.ts checks that they agree).
 *
 * Semi-spaces of 64 MiB instead of V8's default 16: both processes make much short-lived garbage
 * (parsed notices, activity payloads and query rows in the worker; a request's context, headers and
 * promises in the API), and V8 collects the young generation each time a semi-space fills. Holding
 * 10,000 positions while 500 instruments ticked, the worker collected 115 times in 30 s (1.6 s in
 * all, the longest 74 ms) at 91% of a core; with this flag 29 times (0.56 s, the longest 30 ms) at
 * 75%, and exits reached the broker in half the time, for 0.13 GiB more RSS. The API served about
 * 12% more authenticated reads a second (docs/benchmarks.md; the flag: `node --v8-options`).
 *
 * @module
 */
export const NODE_FLAGS: readonly string[] = ['--max-semi-space-size=64'];
