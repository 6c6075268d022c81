import { describe, expect, it } from 'vitest';
import { exchangeOfAlert, planAlert } from '../../src/domain/tradingview.ts';
import { hashWebhookToken, newWebhookToken, WEBHOOK_TOKEN, webhookTokenMatches } from '../../src/security/webhook-tokens.ts';

describe('a TradingView alert against the strategy position', () => {
  it('enters when nothing is held, reverses the opposite side, and ignores the side already held', () => {
    expect(planAlert(undefined, 'long')).toEqual({ kind: 'entry', side: 'BUY' });
    expect(planAlert(undefined, 'short')).toEqual({ kind: 'entry', side: 'SELL' });
    expect(planAlert('BUY', 'short')).toEqual({ kind: 'reverse', side: 'SELL' });
    expect(planAlert('SELL', 'long')).toEqual({ kind: 'reverse', side: 'BUY' });
    expect(planAlert('BUY', 'long')).toEqual({ kind: 'ignored', reason: 'already-held' });
  });

  it('exits on flat, and does nothing on flat when nothing is held', () => {
    expect(planAlert('BUY', 'flat')).toEqual({ kind: 'exit' });
    expect(planAlert('SELL', 'flat')).toEqual({ kind: 'exit' });
    expect(planAlert(undefined, 'flat')).toEqual({ kind: 'ignored', reason: 'nothing-held' });
  });

  it('reads a delayed-data exchange as the exchange itself', () => {
    expect(exchangeOfAlert('nse_dl')).toBe('NSE');
    expect(exchangeOfAlert('BSE_DLY')).toBe('BSE');
    expect(exchangeOfAlert('NSE')).toBe('NSE');
  });
});

describe('strategy webhook tokens', () => {
  it('are at least 128 random bits, URL-safe, and match only their own hash', () => {
    const token = newWebhookToken();
    expect(Buffer.from(token, 'base64url').length * 8).toBeGreaterThanOrEqual(128);
    expect(WEBHOOK_TOKEN.test(token)).toBe(true);
    expect(newWebhookToken()).not.toBe(token);
    expect(webhookTokenMatches(token, hashWebhookToken(token))).toBe(true);
    expect(webhookTokenMatches(newWebhookToken(), hashWebhookToken(token))).toBe(false);
  });
});
