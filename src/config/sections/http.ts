/** The HTTP API: bodies, timeouts, CORS, waits. */
import { z } from 'zod';
import { int, list } from '../schema.ts';

export const httpSettings = z.object({
  BODY_LIMIT_BYTES: int(1).default(64 * 1024).describe('Largest accepted request body'),
  REQUEST_TIMEOUT_MS: int(1).default(15000).describe('Longest time a request may take: then 503 with Retry-After (nothing placed), or 202 outcome "unknown" once handed to Temporal'),
  DEPENDENCY_DEADLINE_MS: int(100).default(1500).describe('A request still running this long while PostgreSQL or Temporal is not answering is answered at once (503 "not placed" or 202 outcome "unknown")'),
  AUDIT_VERIFY_TIMEOUT_S: int(1).default(600).describe('Longest GET /audit/verify may walk the chain before 504 (about 50,000 records a second; REQUEST_TIMEOUT_MS does not apply to it)'),
  CORS_ORIGINS: list.default([]).describe('Comma-separated origins allowed by CORS (empty: CORS off)'),
  TRADE_ACK_WAIT_MS: int(100).default(5000).describe('How long POST /trades waits for the entry outcome before answering PENDING'),
}).describe('The HTTP API: bodies, timeouts, CORS, waits');
export type HttpSettings = z.infer<typeof httpSettings>;
