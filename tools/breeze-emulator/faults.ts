/**
 * Faults a test can inject into the emulator, each the way it shows up in real life:
 * - `timeout`: the request is acted on (an order is placed), then never answered: the ambiguous
 *   case a client must settle by looking the order up, not by sending it again;
 * - `gateway`: a 502/503/504 HTML page from the "load balancer"; the request never reached Breeze;
 * - `rate-limit`: the "Limit exceed" envelope, nothing done;
 * - `reset`: the connection is dropped after the request was acted on.
 *
 * @module
 */

export type FaultKind = 'timeout' | 'gateway' | 'rate-limit' | 'reset';

export interface Fault {
  kind: FaultKind;
  /** Only calls with this method (GET, POST…), any when absent. */
  method?: string | undefined;
  /** Only calls to this endpoint (`order`, `quotes`…), any when absent. */
  endpoint?: string | undefined;
  /** How many calls it hits before it is used up (default 1). */
  times?: number | undefined;
  /** HTTP status of a gateway fault (default 502). */
  status?: number | undefined;
}

/** The armed faults, consumed in order by the calls they match. */
export class FaultPlan {
  private faults: (Fault & { left: number })[] = [];

  add(fault: Fault): void {
    this.faults.push({ ...fault, left: fault.times ?? 1 });
  }

  clear(): void {
    this.faults = [];
  }

  /** The fault this call meets, if any (it is used up by one). */
  take(method: string, endpoint: string): Fault | undefined {
    const fault = this.faults.find((f) => f.left > 0 && (!f.method || f.method.toUpperCase() === method) && (!f.endpoint || f.endpoint === endpoint));
    if (!fault) return undefined;
    fault.left--;
    this.faults = this.faults.filter((f) => f.left > 0);
    return fault;
  }
}
