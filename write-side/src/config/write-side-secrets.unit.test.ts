import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  deriveKey,
  embeddedSecretsFile,
  loadOrCreateEmbeddedSecrets,
  WriteSideSecretsError,
  writeSideSecretsFromValues,
} from './write-side-secrets.js';

const b64 = (byte: number, length = 32) => Buffer.alloc(length, byte).toString('base64');

describe('write-side secrets', () => {
  it('reads base64 values; the first manage-token secret signs, all verify', () => {
    const secrets = writeSideSecretsFromValues({
      manageTokenSecrets: `${b64(1)}, ${b64(2, 48)}`,
      customerIdSecret: b64(3),
    });
    expect(secrets.manageTokenSecrets).toHaveLength(2);
    expect(secrets.manageTokenSecrets[0]?.[0]).toBe(1);
    expect(secrets.customerIdSecret).toHaveLength(32);
  });

  it('refuses short, empty or non-base64 secrets without echoing them', () => {
    expect(() =>
      writeSideSecretsFromValues({ manageTokenSecrets: b64(1, 16), customerIdSecret: b64(3) }),
    ).toThrow(WriteSideSecretsError);
    expect(() => writeSideSecretsFromValues({ manageTokenSecrets: ' , ', customerIdSecret: b64(3) })).toThrow(
      /empty/,
    );
    expect(() =>
      writeSideSecretsFromValues({ manageTokenSecrets: b64(1), customerIdSecret: 'not base64 at all!!' }),
    ).toThrow(/PTI_CUSTOMER_ID_SECRET: expected base64/);
  });

  it('embedded mode generates the secrets once, keeps them under the data dir (0600) and reads them back', async () => {
    const file = embeddedSecretsFile(mkdtempSync(join(tmpdir(), 'pti-secrets-')));
    const first = await loadOrCreateEmbeddedSecrets(file);
    const again = await loadOrCreateEmbeddedSecrets(file);
    expect(Buffer.from(again.customerIdSecret).equals(Buffer.from(first.customerIdSecret))).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('derives distinct keys per purpose', () => {
    const secret = new Uint8Array(32).fill(9);
    expect(Buffer.from(deriveKey(secret, 'a')).equals(Buffer.from(deriveKey(secret, 'b')))).toBe(false);
    expect(deriveKey(secret, 'a')).toHaveLength(32);
  });
});
