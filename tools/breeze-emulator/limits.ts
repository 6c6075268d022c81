/**
 * Breeze's per-AppKey limits as the emulator enforces them (docs/breeze-api.md#rate-limits): sliding
 * windows of 100 calls a minute and 10 order actions a second, and a daily count. Only calls that
 * pass are counted, so a client that backs off recovers.
 *
 * @module
 */
import { TEXT } from './wire.ts';

export interface EmuLimits {
  perSecond: number;
  perMinute: number;
  perDay: number;
}

export const BREEZE_LIMITS: EmuLimits = { perSecond: 10, perMinute: 100, perDay: 5000 };

export class CallWindows {
  private calls: number[] = [];
  private orderActions: number[] = [];
  private day = '';
  private dayCount = 0;

  limits: EmuLimits;

  constructor(limits: EmuLimits) {
    this.limits = limits;
  }

  /** The refusal text when this call would pass a limit; otherwise counts it and returns undefined. */
  admit(nowMs: number, istDay: string, orderAction: boolean): string | undefined {
    this.calls = this.calls.filter((t) => t > nowMs - 60_000);
    this.orderActions = this.orderActions.filter((t) => t > nowMs - 1_000);
    if (this.day !== istDay) {
      this.day = istDay;
      this.dayCount = 0;
    }
    if (this.dayCount >= this.limits.perDay) return TEXT.perDay;
    if (this.calls.length >= this.limits.perMinute) return TEXT.perMinute;
    if (orderAction && this.orderActions.length >= this.limits.perSecond) return TEXT.perSecond;
    this.calls.push(nowMs);
    if (orderAction) this.orderActions.push(nowMs);
    this.dayCount++;
    return undefined;
  }

  reset(): void {
    this.calls = [];
    this.orderActions = [];
    this.dayCount = 0;
  }
}
