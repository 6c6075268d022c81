/**
 * The audit record as the API shows it (GET /audit, GET /trades/{id}/timeline).
 *
 * @module
 */
import { z } from '@hono/zod-openapi';

export const AuditRecord = z.record(z.string(), z.unknown()).openapi('AuditRecord');
