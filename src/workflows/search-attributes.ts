/**
 * Custom search attributes, so the Temporal UI can filter trades by account, symbol, side and
 * status. The dev server registers them at start (`--search-attribute`); production registers them
 * once with `temporal operator search-attribute create` (see docker-compose.yml).
 *
 * @module
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const TRADE_ACCOUNT = defineSearchAttributeKey('TradeAccount', SearchAttributeType.KEYWORD);
export const TRADE_SYMBOL = defineSearchAttributeKey('TradeSymbol', SearchAttributeType.KEYWORD);
export const TRADE_SIDE = defineSearchAttributeKey('TradeSide', SearchAttributeType.KEYWORD);
export const TRADE_STATUS = defineSearchAttributeKey('TradeStatus', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTES = [TRADE_ACCOUNT, TRADE_SYMBOL, TRADE_SIDE, TRADE_STATUS];

/** `Name=Type` pairs for `temporal server start-dev --search-attribute`. */
export function searchAttributeFlags(): string[] {
  return SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=Keyword`]);
}
