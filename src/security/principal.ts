/**
 * Who is calling: a user (by JWT) or an API key, with the role and scopes that decide what they
 * may do, and the account they act on.
 *
 * @module
 */
import type { Actor } from '../audit/events.ts';
import type { Role, Scope } from '../domain/roles.ts';

export interface Principal {
  kind: 'user' | 'api_key';
  id: string;
  name: string;
  role: Role;
  scopes: Scope[];
  accountId: string;
  sessionId?: string | undefined;
}

export function actorOf(p: Principal): Actor {
  return { type: p.kind, id: p.kind === 'user' ? p.name : p.id };
}
