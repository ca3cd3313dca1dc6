import { createMemoryStore } from '../../src/store/memory-store.ts';
import { kvContract } from './kv-contract.ts';

kvContract('memory', async (clock) => createMemoryStore({ clock }));
