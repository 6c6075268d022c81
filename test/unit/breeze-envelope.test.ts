import { describe, expect, it } from 'vitest';
import { type CallContext, parseAnswer } from '../../src/broker/breeze/envelope.ts';
import { BrokerOutcomeUnknownError, BrokerRejectedError, BrokerSessionExpiredError, BrokerUnavailableError } from '../../src/broker/errors.ts';

const write: CallContext = { endpoint: 'POST order', effect: 'write' };
const read: CallContext = { endpoint: 'GET order', effect: 'read' };
const login: CallContext = { endpoint: 'customerdetails', effect: 'read', login: true };

function failure(status: number, text: string, context: CallContext = write): unknown {
  try {
    parseAnswer(status, text, context);
  } catch (err) {
    return err;
  }
  throw new Error('expected a failure');
}

describe('Breeze envelope', () => {
  it('returns the Success payload of a Status 200 answer', () => {
    expect(parseAnswer(200, '{"Success":{"order_id":"20250205N300001234"},"Status":200,"Error":null}', write)).toEqual({ order_id: '20250205N300001234' });
  });

  it('maps rate-limit envelopes to a retryable unavailable error with a retry hint', () => {
    const perMinute = failure(200, '{"Status":5,"Error":"Limit exceed: API call per minute:Try after some time"}');
    expect(perMinute).toBeInstanceOf(BrokerUnavailableError);
    expect((perMinute as BrokerUnavailableError).retryable).toBe(true);
    expect((perMinute as BrokerUnavailableError).retryAfterSeconds).toBe(60);
    expect(failure(200, '{"Status":5,"Error":"Limit exceed: API call per day: "}')).toBeInstanceOf(BrokerUnavailableError);
  });

  it('maps a checksum failure and an unknown key to non-retryable rejections', () => {
    const checksum = failure(200, '{"Status":5,"Error":"Authentication Fail :: Invalid Checksum."}');
    expect(checksum).toBeInstanceOf(BrokerRejectedError);
    expect((checksum as BrokerRejectedError).retryable).toBe(false);
    expect(failure(200, '{"Success":null,"Status":500,"Error":"Public Key does not exist."}', login)).toBeInstanceOf(BrokerRejectedError);
  });

  it('maps session texts to BrokerSessionExpiredError', () => {
    expect(failure(200, '{"Success":null,"Status":500,"Error":"Invalid session."}', login)).toBeInstanceOf(BrokerSessionExpiredError);
    expect(failure(200, '{"Success":null,"Status":500,"Error":"Resource not available."}', login)).toBeInstanceOf(BrokerSessionExpiredError);
    expect(failure(200, '{"Success":null,"Status":500,"Error":"Invalid User Details"}', read)).toBeInstanceOf(BrokerSessionExpiredError);
  });

  it('treats "Resource not available" outside the login exchange as a rejection (square-off, I#99)', () => {
    expect(failure(200, '{"Status":500,"Error":"Resource not available"}', { endpoint: 'POST squareoff', effect: 'write' })).toBeInstanceOf(BrokerRejectedError);
  });

  it('maps business errors, including the market-order denial on a non-2xx status, to rejections', () => {
    const denied = failure(400, `{"Success":null,"Status":500,"Error":"Request Denied: Kindly pass 'limit' as parameter in order_type field instead of market"}`);
    expect(denied).toBeInstanceOf(BrokerRejectedError);
    expect((denied as Error).message).toContain('Request Denied');
  });

  it('treats an HTML 502 on an order action as an unknown outcome and on a read as unavailable', () => {
    const html = '<html><body><h1>502 Bad Gateway</h1></body></html>';
    expect(failure(502, html)).toBeInstanceOf(BrokerOutcomeUnknownError);
    expect(failure(502, html, read)).toBeInstanceOf(BrokerUnavailableError);
  });

  it('treats a 503 or 429 page as unavailable even for an order action (the gateway turned it away)', () => {
    expect(failure(503, '<html>Service Unavailable</html>')).toBeInstanceOf(BrokerUnavailableError);
    expect(failure(429, 'Too Many Requests')).toBeInstanceOf(BrokerUnavailableError);
  });

  it('treats an ASP.NET exception dump on an order action as an unknown outcome', () => {
    const dump = '{"Message":"An error has occurred.","ExceptionMessage":"Object reference not set to an instance of an object."}';
    expect(failure(500, dump)).toBeInstanceOf(BrokerOutcomeUnknownError);
  });
});
