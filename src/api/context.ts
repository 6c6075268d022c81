/**
 * What every route gets per request: the variables set by middleware, and the helpers that read
 * them. The process's dependencies are in ./deps.ts; each router takes only those it uses.
 *
 * @module
 */
import type { Context } from 'hono';
import { AuthenticationError } from '../domain/errors.ts';
import type { Principal } from '../security/principal.ts';
import type { RequestDeadline } from './handover.ts';

export interface AppEnv {
  Variables: {
    requestId: string;
    /** The client's address, believed from X-Forwarded-For only behind a trusted proxy. */
    clientIp: string;
    principal?: Principal;
    /** The request's deadline and its hand-over to Temporal (middleware/deadline.ts). */
    deadline?: RequestDeadline;
  };
}

/** The authenticated caller; routes behind the auth middleware always have one. */
export function principalOf(c: Context<AppEnv>): Principal {
  const principal = c.get('principal');
  if (!principal) throw new AuthenticationError();
  return principal;
}

/** Request facts that travel into workflows and audit records. */
export function requestFacts(c: Context<AppEnv>): { requestId: string; clientIp: string | undefined } {
  return { requestId: c.get('requestId'), clientIp: c.get('clientIp') };
}
