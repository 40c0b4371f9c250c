import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  generateMasterKeyBase64,
  MASTER_KEY_FILE,
  MasterKeyError,
  masterKeyFromBase64,
  resolveMasterKey,
} from './master-key.js';

const dirs: string[] = [];
const tempDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pti-master-key-'));
  dirs.push(dir);
  return dir;
};
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('master key', () => {
  it('parses base64 of 32 bytes and fingerprints it', () => {
    const text = generateMasterKeyBase64();
    const key = masterKeyFromBase64(text);
    expect(key.key).toHaveLength(32);
    expect(key.id).toMatch(/^[0-9a-f]{16}$/);
    expect(masterKeyFromBase64(` ${text}\n`).id).toBe(key.id);
    expect(masterKeyFromBase64(generateMasterKeyBase64()).id).not.toBe(key.id);
    expect(() => masterKeyFromBase64(Buffer.alloc(16).toString('base64'))).toThrow(MasterKeyError);
    expect(() => masterKeyFromBase64('not base64!')).toThrow(MasterKeyError);
  });

  it('uses PII_MASTER_KEY when set', async () => {
    const text = generateMasterKeyBase64();
    const resolved = await resolveMasterKey({ masterKey: text, dataDir: await tempDir() });
    expect(resolved).toMatchObject({ source: 'config', masterKey: { id: masterKeyFromBase64(text).id } });
  });

  it('generates an embedded key once, kept with mode 0600, then reads it back', async () => {
    const dataDir = join(await tempDir(), 'nested');
    const first = await resolveMasterKey({ masterKey: null, dataDir });
    expect(first.source).toBe('generated');
    const path = join(dataDir, MASTER_KEY_FILE);
    expect(first.path).toBe(path);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const second = await resolveMasterKey({ masterKey: '', dataDir });
    expect(second).toMatchObject({ source: 'file', masterKey: { id: first.masterKey.id } });
    expect(masterKeyFromBase64(await readFile(path, 'utf8')).id).toBe(first.masterKey.id);
  });

  it('refuses a key file readable by others, a malformed one, and generation when not allowed', async () => {
    const dataDir = await tempDir();
    const path = join(dataDir, MASTER_KEY_FILE);
    await writeFile(path, generateMasterKeyBase64(), { mode: 0o644 });
    await chmod(path, 0o644);
    await expect(resolveMasterKey({ dataDir })).rejects.toThrow(/chmod 600/);
    await writeFile(path, 'short', { mode: 0o600 });
    await chmod(path, 0o600);
    await expect(resolveMasterKey({ dataDir })).rejects.toThrow(MasterKeyError);
    await expect(resolveMasterKey({ dataDir: await tempDir(), allowGenerated: false })).rejects.toThrow(
      /PII_MASTER_KEY is required/,
    );
  });

  it('keeps an ephemeral key for a memory data directory', async () => {
    const resolved = await resolveMasterKey({ dataDir: 'memory://' });
    expect(resolved.source).toBe('ephemeral');
  });
});
