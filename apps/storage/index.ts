export { AZURITE_ACCOUNT, azuriteBlobScript, startAzurite } from './azurite.ts';
export type { AzuriteOptions, RunningAzurite } from './azurite.ts';
export { AZURITE_ACCOUNT_KEY, demoStory, seedStories } from './seed-stories.ts';
export type { SeedStoriesOptions, StoryOwner } from './seed-stories.ts';
export { startStorage } from './start-storage.ts';
export type { RunningStorage, StartStorageOptions } from './start-storage.ts';
