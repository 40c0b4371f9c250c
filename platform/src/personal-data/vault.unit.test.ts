import { describe, expect, it } from 'vitest';
import { IntegrityError } from './aes-gcm.js';
import { generateMasterKeyBase64, masterKeyFromBase64 } from './master-key.js';
import { createMemoryKeyStore } from './memory-key-store.js';
import { createVault, VaultKeyError } from './vault.js';

const master = () => masterKeyFromBase64(generateMasterKeyBase64());

describe('vault', () => {
  it('creates one key per subject on first use, wraps it, and serves it from the cache afterwards', async () => {
    const store = createMemoryKeyStore();
    let reads = 0;
    const counting = {
      ...store,
      read: (id: string) => {
        reads++;
        return store.read(id);
      },
    };
    const vault = createVault({ store: counting, masterKey: master() });
    const [a, again] = await Promise.all([vault.encryptionKey('alice'), vault.encryptionKey('alice')]);
    expect(a.generation).toBe(1);
    expect(a.key).toHaveLength(32);
    expect(again.key.equals(a.key)).toBe(true);
    const b = await vault.encryptionKey('bob');
    expect(b.key.equals(a.key)).toBe(false);
    const before = reads;
    expect((await vault.decryptionKey('alice', 1))?.key.equals(a.key)).toBe(true);
    expect(reads).toBe(before);
    const stored = await store.read('alice');
    expect(stored).toMatchObject({ status: 'live', key: { masterKeyId: vault.masterKeyId } });
    // The stored key is wrapped: not the key itself.
    if (stored?.status !== 'live') throw new Error('no live key');
    expect(Buffer.from(stored.key.wrappedKey, 'base64').includes(a.key)).toBe(false);
  });

  it('another process with the same master key unwraps the same key', async () => {
    const store = createMemoryKeyStore();
    const key = master();
    const a = await createVault({ store, masterKey: key }).encryptionKey('carol');
    const b = await createVault({ store, masterKey: key }).decryptionKey('carol', 1);
    expect(b?.key.equals(a.key)).toBe(true);
  });

  it('shredding makes every generation so far unreadable; new data starts the next generation', async () => {
    const store = createMemoryKeyStore();
    const vault = createVault({ store, masterKey: master() });
    await vault.encryptionKey('dave');
    expect(await vault.shred('dave')).toBe(1);
    expect(await vault.shred('dave')).toBeNull();
    expect(await vault.decryptionKey('dave', 1)).toBeNull();
    const second = await vault.encryptionKey('dave');
    expect(second.generation).toBe(2);
    expect(await vault.decryptionKey('dave', 1)).toBeNull();
    expect((await vault.decryptionKey('dave', 2))?.key.equals(second.key)).toBe(true);
    await expect(vault.decryptionKey('dave', 3)).rejects.toThrow(IntegrityError);
    expect(await vault.decryptionKey('nobody', 1)).toBeNull();
  });

  it('a shred in another process is seen once the cached key expires', async () => {
    const store = createMemoryKeyStore();
    const key = master();
    const reader = createVault({ store, masterKey: key, cache: { ttlMs: 30 } });
    await reader.encryptionKey('erin');
    await createVault({ store, masterKey: key }).shred('erin');
    expect(await reader.decryptionKey('erin', 1)).not.toBeNull();
    await new Promise((r) => setTimeout(r, 40));
    expect(await reader.decryptionKey('erin', 1)).toBeNull();
  });

  it('keeps at most maxKeys unwrapped keys', async () => {
    const store = createMemoryKeyStore();
    let reads = 0;
    const counting = {
      ...store,
      read: (id: string) => {
        reads++;
        return store.read(id);
      },
    };
    const vault = createVault({ store: counting, masterKey: master(), cache: { maxKeys: 2 } });
    for (const id of ['k1', 'k2', 'k3']) await vault.encryptionKey(id);
    const before = reads;
    await vault.decryptionKey('k3', 1);
    await vault.decryptionKey('k2', 1);
    expect(reads).toBe(before);
    await vault.decryptionKey('k1', 1);
    expect(reads).toBe(before + 1);
  });

  it('refuses keys wrapped by an unknown master key, naming it', async () => {
    const store = createMemoryKeyStore();
    const first = master();
    await createVault({ store, masterKey: first }).encryptionKey('frank');
    const other = createVault({ store, masterKey: master() });
    await expect(other.decryptionKey('frank', 1)).rejects.toThrow(VaultKeyError);
    await expect(other.decryptionKey('frank', 1)).rejects.toThrow(first.id);
    await expect(other.encryptionKey('frank')).rejects.toThrow(VaultKeyError);
  });

  it('rotates the master key: re-wraps live keys, skips erased ones, reports unknown wrappers', async () => {
    const store = createMemoryKeyStore();
    const oldKey = master();
    const stranger = master();
    const oldVault = createVault({ store, masterKey: oldKey });
    const keys = await Promise.all(['g1', 'g2', 'g3', 'g4', 'g5'].map((id) => oldVault.encryptionKey(id)));
    await oldVault.shred('g5');
    await createVault({ store, masterKey: stranger }).encryptionKey('g6');
    const newKey = master();
    const rotating = createVault({ store, masterKey: newKey, previousMasterKeys: [oldKey] });
    const progress: number[] = [];
    const report = await rotating.rotateMasterKey({ batchSize: 2, onProgress: (n) => progress.push(n) });
    expect(report).toEqual({ rewrapped: 4, unknownMasterKey: [stranger.id] });
    expect(progress.at(-1)).toBe(4);
    const onlyNew = createVault({ store, masterKey: newKey });
    for (const key of keys.slice(0, 4)) {
      expect((await onlyNew.decryptionKey(key.subjectId, 1))?.key.equals(key.key)).toBe(true);
    }
    expect(await onlyNew.decryptionKey('g5', 1)).toBeNull();
    // Nothing left to do the second time but the stranger's key.
    expect(await rotating.rotateMasterKey()).toEqual({ rewrapped: 0, unknownMasterKey: [stranger.id] });
  });
});
