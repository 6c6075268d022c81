/**
 * OpenAPI pieces every router uses: an error answer (RFC 9457 problem+json) and a JSON object
 * response whose shape the route's description gives.
 *
 * @module
 */
import { z } from '@hono/zod-openapi';

export const Problem = z
  .object({ type: z.string(), title: z.string(), status: z.number().int(), detail: z.string(), instance: z.string(), requestId: z.string() })
  .passthrough()
  .openapi('Problem', { description: 'RFC 9457 problem details; risk rejections add `violations`, validation errors add `errors`' });

export const JsonObject = z.record(z.string(), z.unknown());

/** An error response in a route's `responses`. */
export const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: Problem } } });

/** A JSON object response in a route's `responses`. */
export const jsonObject = (description: string) => ({ description, content: { 'application/json': { schema: JsonObject } } });
