import { describe, expect, it } from 'vitest';
import { breezeTimestamp, checksum, decodeSessionToken, encodeSessionToken, signedHeaders } from '../../src/broker/breeze/signing.ts';

// Test vectors from docs/breeze-api.md#session and #request-signing.
describe('Breeze request signing', () => {
  it('computes the checksum of the spec vector with an order-detail payload', () => {
    expect(checksum('2025-02-05T04:12:33.000Z', '{"exchange_code":"NSE","order_id":"20250205N300001234"}', 'MY_SECRET_KEY')).toBe(
      'e16a1ff6f1dcd8504ecc0572a4b6894cc11f240a996db6bf937ec2fe817c0991',
    );
  });

  it('computes the checksum of the spec vector with an empty payload', () => {
    expect(checksum('2025-02-05T04:12:33.000Z', '{}', 'MY_SECRET_KEY')).toBe('f4f6e63099d0f5f7dfe1005bb6efb7116b9d660d1dc225393235266857c8458f');
  });

  it('sends the timestamp in whole UTC seconds with a literal .000Z', () => {
    expect(breezeTimestamp(new Date('2025-02-05T04:12:33.789Z'))).toBe('2025-02-05T04:12:33.000Z');
  });

  it('puts "token " before the digest and signs exactly the payload given', () => {
    const headers = signedHeaders({ appKey: 'APP', secretKey: 'MY_SECRET_KEY', sessionToken: 'WFk2MDQ3MjE6MTIzNDU2Nzg=' }, '{}', new Date('2025-02-05T04:12:33.500Z'));
    expect(headers).toEqual({
      'Content-Type': 'application/json',
      'X-Checksum': 'token f4f6e63099d0f5f7dfe1005bb6efb7116b9d660d1dc225393235266857c8458f',
      'X-Timestamp': '2025-02-05T04:12:33.000Z',
      'X-AppKey': 'APP',
      'X-SessionToken': 'WFk2MDQ3MjE6MTIzNDU2Nzg=',
    });
  });

  it('encodes and decodes the session token of the spec vector', () => {
    expect(encodeSessionToken('XY604721', '12345678')).toBe('WFk2MDQ3MjE6MTIzNDU2Nzg=');
    expect(decodeSessionToken('WFk2MDQ3MjE6MTIzNDU2Nzg=')).toEqual({ userId: 'XY604721', sessionKey: '12345678' });
    expect(decodeSessionToken(Buffer.from('no-colon').toString('base64'))).toBeUndefined();
  });
});
