/**
 * The operator console: a static page, its stylesheet and its scripts, served by the API itself so
 * there is nothing else to deploy. No inline script or style anywhere, so the API's strict CSP
 * (`script-src 'self'; style-src 'self'`) applies unchanged; no CDN. The page talks to the same
 * HTTP API as every other client, with a token it keeps in memory.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { Hono } from 'hono';
import type { AppEnv } from '../context.ts';

const STATIC = new URL('./static/', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, STATIC), 'utf8');

/** Script modules the entry imports (`/console/<name>`): a fixed list, never a path from the request. */
const MODULES = ['api.js', 'chart.js', 'render.js', 'panels.js', 'live.js', 'ticket.js', 'trades.js'] as const;

const JS = 'text/javascript; charset=utf-8';

export function consoleRoutes() {
  // Read once at start: the files are part of the build, and a request never touches the disk.
  const page = read('index.html');
  const css = read('console.css');
  const entry = read('console.js');
  const modules = new Map<string, string>(MODULES.map((m) => [m, read(m)]));
  const noCache = { 'Cache-Control': 'no-cache' };

  return new Hono<AppEnv>()
    .get('/', (c) => c.html(page, 200, noCache))
    .get('/console.css', (c) => c.body(css, 200, { 'Content-Type': 'text/css; charset=utf-8', ...noCache }))
    .get('/console.js', (c) => c.body(entry, 200, { 'Content-Type': JS, ...noCache }))
    .get('/console/:file', (c) => {
      const body = modules.get(c.req.param('file'));
      return body === undefined ? c.notFound() : c.body(body, 200, { 'Content-Type': JS, ...noCache });
    });
}
