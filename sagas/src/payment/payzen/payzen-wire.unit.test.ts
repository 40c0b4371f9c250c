import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { krHash, krHashMatches, parseBasicAuthorization, signedAnswerFields } from './payzen-wire.js';

describe('Payzen signatures', () => {
  const answer = {
    shopId: '69876357',
    orderStatus: 'PAID',
    orderDetails: { orderId: 'payment-1', orderTotalAmount: 7800, orderCurrency: 'EUR' },
    transactions: [{ uuid: 'tx-1', amount: 7800, currency: 'EUR', status: 'PAID' }],
  };

  it('signs the raw kr-answer with HMAC-SHA-256, hex, keyed by the secret of the channel', () => {
    const fields = signedAnswerFields(answer, 'password', 'rest-password');
    expect(fields['kr-hash-algorithm']).toBe('sha256_hmac');
    expect(fields['kr-hash-key']).toBe('password');
    expect(fields['kr-answer-type']).toBe('V4/Payment');
    expect(fields['kr-hash']).toBe(
      createHmac('sha256', 'rest-password')
        .update(fields['kr-answer'] ?? '')
        .digest('hex'),
    );
  });

  it('compares in constant time and rejects any other string, length or secret', () => {
    const raw = JSON.stringify(answer);
    const hash = krHash(raw, 'secret');
    expect(krHashMatches(raw, hash, 'secret')).toBe(true);
    expect(krHashMatches(raw, hash.toUpperCase(), 'secret')).toBe(true);
    expect(krHashMatches(raw, hash.slice(0, -1), 'secret')).toBe(false);
    expect(krHashMatches(`${raw} `, hash, 'secret')).toBe(false);
    expect(krHashMatches(raw, hash, 'other')).toBe(false);
    expect(krHashMatches(raw, '', 'secret')).toBe(false);
  });

  it('reads HTTP Basic credentials', () => {
    const header = `Basic ${Buffer.from('69876357:pass:word').toString('base64')}`;
    expect(parseBasicAuthorization(header)).toEqual({ user: '69876357', password: 'pass:word' });
    expect(parseBasicAuthorization('Bearer x')).toBeUndefined();
    expect(parseBasicAuthorization(undefined)).toBeUndefined();
  });
});
