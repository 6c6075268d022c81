/**
 * Roles and the scopes they grant: who may read, trade or administer an account. Shared by the
 * user tables, the API's policy and the tokens, so it lives in the domain.
 *
 * @module
 */
export const ROLES = ['admin', 'trader', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export const SCOPES = ['read', 'trade', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

/** What each role may do. */
export const ROLE_SCOPES: Record<Role, Scope[]> = {
  admin: ['read', 'trade', 'admin'],
  trader: ['read', 'trade'],
  viewer: ['read'],
};
