import { ContainerClient } from '@azure/storage-blob';
import type { OboToken } from '../obo/obo-token-cache.ts';
import { storageFailure, storageNotConfigured } from './storage-error.ts';

/** Reads stories as the signed-in user; each user's story is the blob `{oid}.md`. */
export interface StoryBlobs {
  /** The story of user `oid`, or null when there is none. Throws EntrakitError (STORAGE_*) otherwise. */
  readStory(oid: string, token: OboToken): Promise<string | null>;
  /** Deletes user `oid`'s story; false when there was none. Throws EntrakitError (STORAGE_*) otherwise. */
  deleteStory(oid: string, token: OboToken): Promise<boolean>;
}

export interface StoryBlobsOptions {
  /** `https://127.0.0.1:10000/devstoreaccount1` (Azurite) or `https://{account}.blob.core.windows.net`. */
  blobUrl?: string;
  container: string;
  /** Attempts per read, including the first. Default 2. */
  maxTries?: number;
  /** Per-attempt timeout. Default 10 s. */
  tryTimeoutMs?: number;
}

/** Stories are short Markdown; anything larger is cut rather than held in memory. */
export const MAX_STORY_BYTES = 256 * 1024;

export function createStoryBlobs(options: StoryBlobsOptions): StoryBlobs {
  const { blobUrl, container } = options;
  if (blobUrl !== undefined && (typeof blobUrl !== 'string' || !blobUrl.startsWith('https://'))) {
    throw new TypeError('createStoryBlobs: "blobUrl" must be an https URL (bearer tokens are only sent over https)');
  }
  if (typeof container !== 'string' || container === '') throw new TypeError('createStoryBlobs: "container" must be a non-empty string');
  const retryOptions = { maxTries: options.maxTries ?? 2, tryTimeoutInMs: options.tryTimeoutMs ?? 10_000, retryDelayInMs: 200, maxRetryDelayInMs: 1_000 };

  // A fresh client per call: its credential can only ever hand out this caller's token.
  const containerFor = (url: string, token: OboToken) =>
    new ContainerClient(`${url}/${container}`, { getToken: async () => ({ token: token.accessToken, expiresOnTimestamp: token.expiresOnTimestamp }) }, { retryOptions });

  return {
    async deleteStory(oid, token) {
      if (!blobUrl) throw storageNotConfigured();
      try {
        const result = await containerFor(blobUrl, token).getBlobClient(`${oid}.md`).deleteIfExists();
        return result.succeeded;
      } catch (error) {
        if (isNotFound(error)) return false;
        throw storageFailure(error, blobUrl);
      }
    },
    async readStory(oid, token) {
      if (!blobUrl) throw storageNotConfigured();
      const containerClient = containerFor(blobUrl, token);
      try {
        const download = await containerClient.getBlobClient(`${oid}.md`).download(0, MAX_STORY_BYTES);
        return await readText(download.readableStreamBody);
      } catch (error) {
        if (isNotFound(error)) return null;
        throw storageFailure(error, blobUrl);
      }
    },
  };
}

function isNotFound(error: unknown): boolean {
  const e = error as { statusCode?: unknown; code?: unknown } | null;
  return e?.statusCode === 404 || e?.code === 'BlobNotFound' || e?.code === 'ContainerNotFound';
}

async function readText(stream: NodeJS.ReadableStream | undefined): Promise<string> {
  if (!stream) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}
