/**
 * Messages of the basket workflow and the shapes they carry, shared by the API and the workflow.
 *
 * @module
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { BasketReserveInput, BasketViolation } from '../activities/baskets.ts';
import type { BasketStatus } from '../domain/basket.ts';

export interface BasketWorkflowInput extends BasketReserveInput {
  /** How long the submit update waits for the basket's outcome before answering PENDING. */
  ackWaitMs: number;
  /** How long each leg's entry may work before the basket gives up on it and unwinds. */
  legDeadlineMs: number;
}

export interface BasketSummary {
  basketId: string;
  status: BasketStatus;
  violations?: BasketViolation[] | undefined;
  /** True when this request joined a basket an earlier request started. */
  replayed: boolean;
  requestFingerprint: string;
}

/** Sent by POST /baskets (update-with-start): answers once the basket is decided, or PENDING after the wait. */
export const submitBasket = defineUpdate<BasketSummary, [{ requestId?: string | undefined }]>('submitBasket');
export const basketSummary = defineQuery<BasketSummary>('basketSummary');
