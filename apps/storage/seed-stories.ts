import { ContainerClient, StorageSharedKeyCredential } from '@azure/storage-blob';

/** Azurite's published development account key (the same on every machine; not a secret). */
export const AZURITE_ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface StoryOwner {
  oid: string;
  displayName: string;
}

export interface SeedStoriesOptions {
  /** `https://127.0.0.1:PORT/devstoreaccount1` */
  blobUrl: string;
  users: readonly StoryOwner[];
  container?: string;
  /** Default: the development account key for devstoreaccount1. */
  credential?: StorageSharedKeyCredential;
}

/** The story a demo user finds behind the Story page. */
export function demoStory(user: StoryOwner): string {
  return [
    `# ${user.displayName}'s story`,
    '',
    `This is the blob \`stories/${user.oid}.md\`, and only ${user.displayName} can see it here.`,
    '',
    'The API read it as you: it exchanged your access token On-Behalf-Of for an Azure Storage token',
    '(issuer `https://sts.windows.net/{tenant}/`, audience `https://storage.azure.com`) and used that',
    'token with @azure/storage-blob against Azurite.',
    '',
  ].join('\n');
}

/**
 * Creates the container and one `{oid}.md` per user. Existing stories are kept, so seeding on
 * every start never overwrites a story someone edited.
 */
export async function seedStories(options: SeedStoriesOptions): Promise<{ created: number }> {
  const account = new URL(options.blobUrl).pathname.split('/').filter(Boolean)[0] ?? 'devstoreaccount1';
  const credential = options.credential ?? new StorageSharedKeyCredential(account, AZURITE_ACCOUNT_KEY);
  const container = new ContainerClient(`${options.blobUrl.replace(/\/+$/, '')}/${options.container ?? 'stories'}`, credential, {
    retryOptions: { maxTries: 3, retryDelayInMs: 200, maxRetryDelayInMs: 1_000 },
  });
  await container.createIfNotExists();
  let created = 0;
  for (const user of options.users) {
    const text = demoStory(user);
    try {
      await container.getBlockBlobClient(`${user.oid}.md`).upload(text, Buffer.byteLength(text), {
        blobHTTPHeaders: { blobContentType: 'text/markdown; charset=utf-8' },
        conditions: { ifNoneMatch: '*' },
      });
      created += 1;
    } catch (error) {
      const e = error as { statusCode?: unknown; code?: unknown };
      if (e.statusCode !== 409 && e.code !== 'BlobAlreadyExists') throw error;
    }
  }
  return { created };
}
