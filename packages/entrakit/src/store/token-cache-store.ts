/**
 * Per-user token cache (MSAL's serialized cache), encrypted at rest with AES-256-GCM.
 * Stored form: `v1.<keyId>.<iv>.<ciphertext+tag>` (base64url). The version and key id let keys
 * rotate later; the partition key is bound as additional authenticated data, so a ciphertext
 * copied to another user's entry fails to decrypt instead of handing over their tokens.
 */
import { createCipheriv, createDecipheriv, createHash, createSecretKey, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { EntrakitError } from '../core/errors.ts';
import type { KeyValueStore } from './types.ts';
import { checkKey, checkPrefix, normalizeTtl } from './validate.ts';

export interface EncryptedTokenCacheOptions {
  /** 32 random bytes. */
  key: Uint8Array;
  /** Names the key in each stored value; defaults to a fingerprint of the key. */
  keyId?: string;
  /** Key namespace in the key-value store; defaults to 'tokencache:'. */
  prefix?: string;
  /** Optional expiry of each entry (e.g. the refresh token's lifetime). */
  ttlMs?: number;
  /**
   * What get() does with an entry it cannot decrypt (another key, tampered, corrupt): 'throw'
   * (default) raises TOKEN_CACHE_DECRYPT_FAILED; 'absent' deletes the entry and reads it as
   * missing, so the user simply signs in again (an app after a key change).
   */
  onUndecryptable?: 'throw' | 'absent';
  /** Told about each entry read as absent (no secret in the arguments: the reason and key ids only). */
  onDiscard?: (info: { reason: string; storedKeyId: string | undefined; keyId: string }) => void;
}

export interface TokenCacheStore {
  get(partitionKey: string): Promise<string | undefined>;
  set(partitionKey: string, value: string): Promise<void>;
  delete(partitionKey: string): Promise<void>;
}

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID = /^[A-Za-z0-9_-]{1,64}$/;

function keyFingerprint(key: Uint8Array): string {
  return createHash('sha256').update('entrakit token cache key id\0').update(key).digest().subarray(0, 8).toString('base64url');
}

function decryptFailed(reason: string): EntrakitError {
  return new EntrakitError('TOKEN_CACHE_DECRYPT_FAILED', `Token cache entry could not be decrypted: ${reason}`);
}

export function createEncryptedTokenCacheStore(kv: KeyValueStore, options: EncryptedTokenCacheOptions): TokenCacheStore {
  const { key, prefix = 'tokencache:' } = options;
  if (!(key instanceof Uint8Array) || key.byteLength !== 32) throw new TypeError('key must be a Uint8Array of 32 bytes');
  const keyId = options.keyId ?? keyFingerprint(key);
  if (typeof keyId !== 'string' || !KEY_ID.test(keyId)) throw new TypeError('keyId must be 1-64 characters of [A-Za-z0-9_-]');
  checkPrefix(prefix);
  const ttlMs = normalizeTtl(options.ttlMs);
  const onUndecryptable = options.onUndecryptable ?? 'throw';
  if (onUndecryptable !== 'throw' && onUndecryptable !== 'absent') throw new TypeError("onUndecryptable must be 'throw' or 'absent'");
  if (options.onDiscard !== undefined && typeof options.onDiscard !== 'function') throw new TypeError('onDiscard must be a function');
  // A KeyObject holds its own copy, so later changes to the caller's array do not affect us.
  const secret: KeyObject = createSecretKey(key);

  function aad(partitionKey: string): Buffer {
    return Buffer.from(`entrakit token cache\0${VERSION}\0${keyId}\0${partitionKey}`, 'utf8');
  }

  function encrypt(partitionKey: string, plaintext: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', secret, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad(partitionKey));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return [VERSION, keyId, iv.toString('base64url'), body.toString('base64url')].join('.');
  }

  function decrypt(partitionKey: string, stored: string): string {
    const parts = stored.split('.');
    if (parts.length !== 4 || parts[0] !== VERSION) throw decryptFailed('unknown format');
    const [, storedKeyId = '', ivText = '', bodyText = ''] = parts;
    if (storedKeyId !== keyId) throw decryptFailed('encrypted under another key');
    const iv = Buffer.from(ivText, 'base64url');
    const body = Buffer.from(bodyText, 'base64url');
    if (iv.length !== IV_BYTES || body.length < TAG_BYTES) throw decryptFailed('malformed');
    try {
      const decipher = createDecipheriv('aes-256-gcm', secret, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(aad(partitionKey));
      decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
      return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch (cause) {
      throw new EntrakitError('TOKEN_CACHE_DECRYPT_FAILED', 'Token cache entry failed authentication', { cause });
    }
  }

  return {
    async get(partitionKey) {
      checkKey(partitionKey, 'partitionKey');
      const stored = await kv.get(prefix + partitionKey);
      if (stored === undefined) return undefined;
      try {
        return decrypt(partitionKey, stored);
      } catch (error) {
        if (onUndecryptable === 'throw') throw error;
        // Dropped, not kept: it can never be read with this key. Only this exact value, so a
        // fresh entry written meanwhile (the user signing in again) survives.
        await kv.deleteIfEquals(prefix + partitionKey, stored);
        const storedKeyId = stored.split('.')[1];
        options.onDiscard?.({
          reason: (error as Error).message,
          storedKeyId: storedKeyId !== undefined && KEY_ID.test(storedKeyId) ? storedKeyId : undefined,
          keyId,
        });
        return undefined;
      }
    },
    async set(partitionKey, value) {
      checkKey(partitionKey, 'partitionKey');
      if (typeof value !== 'string') throw new TypeError('value must be a string');
      await kv.set(prefix + partitionKey, encrypt(partitionKey, value), ttlMs);
    },
    async delete(partitionKey) {
      checkKey(partitionKey, 'partitionKey');
      await kv.delete(prefix + partitionKey);
    },
  };
}

/**
 * MSAL Node's ICacheClient, by shape (this module does not import MSAL: only entrakit/web needs
 * it installed).
 */
export interface MsalCacheClient {
  get(key: string): Promise<string>;
  set(key: string, value: string): Promise<string>;
}

/** Adapts the store to MSAL Node's ICacheClient (for its DistributedCachePlugin). */
export function toMsalCacheClient(store: TokenCacheStore): MsalCacheClient {
  return {
    async get(key: string): Promise<string> {
      return (await store.get(key)) ?? '';
    },
    async set(key: string, value: string): Promise<string> {
      await store.set(key, value);
      return 'OK';
    },
  };
}
