/**
 * What the audit trail records: the event types with their default severity and category, and the
 * shape of an event. Every state change of the system appends one of these through `append`.
 *
 * @module
 */
import type { Severity } from '../domain/errors.ts';

export type AuditCategory = 'security' | 'trading' | 'risk' | 'order' | 'config' | 'backup' | 'system';

const TYPES = {
  // identity and access
  USER_LOGIN: ['security', 'LOW'],
  LOGIN_FAILED: ['security', 'MEDIUM'],
  USER_LOGOUT: ['security', 'LOW'],
  TOKEN_REFRESHED: ['security', 'LOW'],
  REFRESH_REUSE_DETECTED: ['security', 'CRITICAL'],
  SESSIONS_REVOKED: ['security', 'MEDIUM'],
  ACCOUNT_LOCKED: ['security', 'HIGH'],
  PASSWORD_CHANGED: ['security', 'MEDIUM'],
  TOTP_ENROLMENT_STARTED: ['security', 'LOW'],
  TOTP_ENROLLED: ['security', 'MEDIUM'],
  TOTP_RESET: ['security', 'HIGH'],
  RECOVERY_CODE_USED: ['security', 'MEDIUM'],
  USER_CREATED: ['security', 'MEDIUM'],
  USER_CHANGED: ['security', 'MEDIUM'],
  API_KEY_CREATED: ['security', 'MEDIUM'],
  API_KEY_REVOKED: ['security', 'MEDIUM'],
  WEBHOOK_REJECTED: ['security', 'HIGH'],
  WEBHOOK_TOKEN_ISSUED: ['security', 'MEDIUM'],
  RATE_LIMIT_BLOCK: ['security', 'HIGH'],
  IP_BLOCKED: ['security', 'HIGH'],
  IP_UNBLOCKED: ['security', 'MEDIUM'],
  IP_DENIED: ['security', 'MEDIUM'],
  // trades and orders
  TRADE_REQUESTED: ['trading', 'LOW'],
  RISK_CHECK_PASSED: ['risk', 'LOW'],
  RISK_CHECK_REJECTED: ['risk', 'MEDIUM'],
  ORDER_PLACED: ['order', 'LOW'],
  ORDER_UNKNOWN: ['order', 'HIGH'],
  ORDER_FILLED: ['order', 'LOW'],
  ORDER_REJECTED: ['order', 'MEDIUM'],
  ORDER_CANCELLED: ['order', 'LOW'],
  TRADE_ENTERED: ['trading', 'LOW'],
  TRADE_EXIT_REQUESTED: ['trading', 'LOW'],
  TRADE_PROTECTION_CHANGED: ['trading', 'MEDIUM'],
  TRADE_EXITED: ['trading', 'LOW'],
  TRADE_CANCELLED: ['trading', 'LOW'],
  TRADE_FAILED: ['trading', 'HIGH'],
  POSITION_SQUARED_OFF: ['trading', 'MEDIUM'],
  BASKET_REQUESTED: ['trading', 'LOW'],
  BASKET_RESERVED: ['risk', 'LOW'],
  BASKET_REJECTED: ['risk', 'MEDIUM'],
  BASKET_OPENED: ['trading', 'LOW'],
  BASKET_FAILED: ['trading', 'HIGH'],
  RECONCILIATION_MISMATCH: ['trading', 'CRITICAL'],
  RECONCILIATION_RESOLVED: ['trading', 'HIGH'],
  // trading state
  CIRCUIT_BREAKER_TRIPPED: ['risk', 'CRITICAL'],
  TRADING_REDUCED: ['risk', 'HIGH'],
  TRADING_RESUMED: ['risk', 'HIGH'],
  FLATTEN_INCOMPLETE: ['risk', 'CRITICAL'],
  STRATEGY_HALTED: ['risk', 'HIGH'],
  STRATEGY_RESUMED: ['risk', 'HIGH'],
  TRADINGVIEW_ALERT: ['trading', 'MEDIUM'],
  // configuration
  CONFIG_CHANGED: ['config', 'HIGH'],
  STRATEGY_CREATED: ['config', 'MEDIUM'],
  CONFIG_CHANGE_REQUESTED: ['config', 'MEDIUM'],
  CONFIG_CHANGE_REJECTED: ['config', 'MEDIUM'],
  BROKER_SESSION_SET: ['config', 'MEDIUM'],
  // backup and retention
  BACKUP_COMPLETED: ['backup', 'LOW'],
  BACKUP_FAILED: ['backup', 'HIGH'],
  BACKUP_VERIFIED: ['backup', 'LOW'],
  BACKUP_VERIFICATION_FAILED: ['backup', 'CRITICAL'],
  BACKUP_REMOVED: ['backup', 'LOW'],
  RESTORE_PERFORMED: ['backup', 'CRITICAL'],
  RETENTION_CLEANUP: ['system', 'LOW'],
  AUDIT_ANCHORED: ['system', 'LOW'],
} as const satisfies Record<string, readonly [AuditCategory, Severity]>;

export type AuditEventType = keyof typeof TYPES;
export const AUDIT_EVENT_TYPES = Object.keys(TYPES) as AuditEventType[];

export function defaultsOf(type: AuditEventType): { category: AuditCategory; severity: Severity } {
  const [category, severity] = TYPES[type];
  return { category, severity };
}

export type ActorType = 'user' | 'api_key' | 'system' | 'workflow';

export interface Actor {
  type: ActorType;
  id: string;
}

export const SYSTEM: Actor = { type: 'system', id: 'system' };

/** What a caller appends. Severity and category default from the type. */
export interface AuditEvent {
  type: AuditEventType;
  actor: Actor;
  severity?: Severity;
  accountId?: string | undefined;
  tradeId?: string | undefined;
  workflowId?: string | undefined;
  runId?: string | undefined;
  clientIp?: string | undefined;
  requestId?: string | undefined;
  /** Self-contained facts of the event; never secrets (they are scrubbed anyway). */
  payload?: Record<string, unknown>;
}

/** A stored record: the event, its place in the chain and its hashes. */
export interface AuditRecord {
  seq: number;
  eventId: string;
  occurredAt: string;
  type: string;
  severity: Severity;
  category: string;
  actorType: ActorType;
  actorId: string;
  accountId: string | null;
  tradeId: string | null;
  workflowId: string | null;
  runId: string | null;
  clientIp: string | null;
  requestId: string | null;
  payload: Record<string, unknown>;
  prevHash: string;
  hash: string;
}
