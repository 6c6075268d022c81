/**
 * What the emulator says on the wire: Breeze's envelopes and the texts real servers were seen to
 * send (docs/breeze-api.md#errors). Texts marked UNCONFIRMED are ours where no source
 * shows the real one; they keep the shape and the keywords clients match on.
 *
 * @module
 */

export interface Answer {
  status: number;
  body: string;
  contentType: string;
}

const json = (status: number, value: unknown): Answer => ({ status, body: JSON.stringify(value), contentType: 'application/json; charset=utf-8' });

/** Success: HTTP 200, `Status: 200`, `Error: null`. */
export const ok = (success: unknown): Answer => json(200, { Success: success, Status: 200, Error: null });

/** A business error: HTTP 200 (the SDKs never see a throw, docs/breeze-api.md#errors) with `Status: 500`. */
export const businessError = (error: string, httpStatus = 200): Answer => json(httpStatus, { Success: null, Status: 500, Error: error });

/** A gateway-level refusal: `Status: 5` and no `Success` key (checksum, limits; I#78, I#144). */
export const gatewayError = (error: string): Answer => json(200, { Status: 5, Error: error });

/** An outage page: the non-JSON bodies users met during incidents (I#169, I#185). */
export const htmlError = (status: number): Answer => ({
  status,
  body: `<html><head><title>${status} ${status === 503 ? 'Service Unavailable' : status === 504 ? 'Gateway Time-out' : 'Bad Gateway'}</title></head><body><center><h1>${status}</h1></center></body></html>`,
  contentType: 'text/html',
});

export const TEXT = {
  invalidChecksum: 'Authentication Fail :: Invalid Checksum.',
  /** UNCONFIRMED: the real skew window and its text are unknown (docs/breeze-api.md#unconfirmed). */
  staleTimestamp: 'Authentication Fail :: Invalid Timestamp.',
  invalidSession: 'Invalid session.',
  unknownKey: 'Public Key does not exist.',
  expiredSession: 'Resource not available.',
  /** Observed on signed calls (I#39); that it is the answer to an expired token is UNCONFIRMED. */
  invalidUser: 'Invalid User Details',
  perMinute: 'Limit exceed: API call per minute:Try after some time',
  perDay: 'Limit exceed: API call per day: ',
  /** UNCONFIRMED text; the 10-per-second rule itself is confirmed (docs/breeze-api.md#regulatory-restrictions). */
  perSecond: 'Limit exceed: Order per second:Try after some time',
  marketDenied: "Request Denied: Kindly pass 'limit' as parameter in order_type field instead of market",
  /** UNCONFIRMED text; the ban itself is confirmed (docs/breeze-api.md#regulatory-restrictions). */
  productBarred: 'Request Denied: Margin and OptionPlus products are not allowed through API',
  noData: 'No data found',
  /** UNCONFIRMED text (docs/breeze-api.md#errors: exchange/RMS rejection texts were not found). */
  outsideBand: 'Order price is outside the day price range',
  notModifiable: 'Order has already been executed and cannot be modified.',
  /** UNCONFIRMED text; the rule (stop-limit only, both prices) is confirmed (docs/breeze-api.md#stop-loss-orders). */
  stopWithoutTrigger: 'Invalid stoploss: a stop-loss order needs a trigger price',
  /** UNCONFIRMED text; "price will always be less than equal to SLTP" for a sell (I#28). */
  stopPriceSide: 'Invalid price: the limit price of a stop-loss order may not be better than its trigger',
  /** UNCONFIRMED texts: the exchanges refuse odd lots and prices off the tick, Breeze's wording is unknown. */
  lotSize: 'Quantity should be in multiples of lot size: ',
  tickSize: 'Price should be in multiples of tick size: ',
  /** UNCONFIRMED text: the exchange rejects an order above the freeze quantity (docs/indian-market.md#freeze-quantities), Breeze's wording is unknown. */
  freezeQuantity: 'Quantity exceeds the freeze quantity: ',
  unknownContract: 'Contract not found in the security master',
} as const;
