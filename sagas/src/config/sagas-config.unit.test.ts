import { ConfigError } from '@pti/platform';
import { describe, expect, it } from 'vitest';
import { loadSagasConfig } from './sagas-config.js';

describe('sagas configuration', () => {
  it('defaults to the embedded simulators and the outbox', () => {
    expect(loadSagasConfig({})).toEqual({
      publicBaseUrl: null,
      payment: { kind: 'simulator' },
      lemonway: null,
      adelsoft: { kind: 'simulator', pullIntervalMs: null },
      brevo: null,
      smsMode: null,
      smsSender: 'PTI',
    });
  });

  it('reads real providers', () => {
    const config = loadSagasConfig({
      PAYMENT_PROVIDER: 'payzen',
      PAYZEN_SHOP_ID: '123',
      PAYZEN_PASSWORD: 'p',
      PAYZEN_HMAC_KEY: 'h',
      ADELSOFT_API_URL: 'https://adelsoft.example/api',
      ADELSOFT_API_KEY: 'k',
      ADELSOFT_PULL_SECONDS: '30',
      BREVO_API_KEY: 'b',
      SMSMODE_API_KEY: 's',
    });
    expect(config.payment).toEqual({
      kind: 'payzen',
      baseUrl: 'https://api.payzen.eu',
      shopId: '123',
      password: 'p',
      hmacKey: 'h',
      publicKey: null,
    });
    expect(config.adelsoft).toEqual({
      kind: 'http',
      baseUrl: 'https://adelsoft.example/api',
      apiKey: 'k',
      webhookSecret: null,
      pullIntervalMs: 30_000,
    });
    expect(config.brevo?.senderEmail).toBe('rendez-vous@pti-calendar.fr');
    expect(config.smsMode).toEqual({ apiKey: 's', baseUrl: null });
  });

  it('never falls back to the simulators in production', () => {
    expect(() => loadSagasConfig({ NODE_ENV: 'production' })).toThrow(
      /PAYMENT_PROVIDER: required in production/,
    );
    expect(() => loadSagasConfig({ NODE_ENV: 'production' })).toThrow(
      /ADELSOFT_API_URL: required in production/,
    );
    expect(
      loadSagasConfig({ NODE_ENV: 'production', PAYMENT_PROVIDER: 'simulator', ADELSOFT: 'off' }).adelsoft,
    ).toEqual({
      kind: 'off',
    });
  });

  it('names every bad variable', () => {
    try {
      loadSagasConfig({
        PAYMENT_PROVIDER: 'payzen',
        LEMONWAY_CLIENT_ID: 'x',
        SMS_SENDER: 'BEAUCOUP-TROP-LONG',
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const issues = (error as ConfigError).issues.join('\n');
      expect(issues).toContain('PAYZEN_SHOP_ID: required when PAYMENT_PROVIDER=payzen');
      expect(issues).toContain('LEMONWAY_*: set all six or none');
      expect(issues).toContain('SMS_SENDER: at most 11 characters');
    }
  });
});
