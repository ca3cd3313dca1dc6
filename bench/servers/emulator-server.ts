// The real emulator in its own process, so it gets a core to itself (and can be run with --cpu-prof).
import { randomBytes, randomUUID } from 'node:crypto';
import type { DevJson } from '../../packages/emulator/src/dev-json.ts';
import type { User } from '../../packages/emulator/src/directory/types.ts';
import { startEmulator } from '../../packages/emulator/src/server.ts';
import { serveFromParent } from '../lib/server-process.ts';

export interface BenchUser {
  username: string;
  password: string;
  displayName: string;
  /** The directory object id (the `oid` and `sub`-independent user id). */
  oid: string;
}

export interface EmulatorInfo {
  url: string;
  caPem: string;
  caFile: string;
  devJson: DevJson;
  /** Users added for the benchmark (none unless asked for). */
  benchUsers: BenchUser[];
}

/** `Bench User 007`: three digits, so one user's name never contains another's. */
export const benchUserName = (i: number) => `Bench User ${String(i).padStart(3, '0')}`;

serveFromParent<{ dataDir: string; benchUsers?: number }, EmulatorInfo>(async ({ dataDir, benchUsers = 0 }) => {
  const emulator = await startEmulator({ dataDir, port: 0 });
  const { directory } = emulator.deps;
  const { tenantId } = emulator.devJson;
  const domain = emulator.devJson.users[0]?.username.split('@')[1] ?? 'entrakitdemo.onmicrosoft.com';
  const users: BenchUser[] = [];
  // Ordinary members of the demo tenant with passwords of their own, set like every user's (scrypt).
  for (let i = 1; i <= benchUsers; i++) {
    const alias = `bench-user-${String(i).padStart(3, '0')}`;
    const user: User = {
      id: randomUUID(),
      displayName: benchUserName(i),
      userPrincipalName: `${alias}@${domain}`,
      mail: `${alias}@${domain}`,
      givenName: 'Bench',
      surname: `User ${i}`,
      jobTitle: null,
      accountEnabled: true,
      userType: 'Member',
    };
    directory.objects.insert('user', tenantId, user.userPrincipalName, user);
    const password = `Bench-${randomBytes(9).toString('base64url')}!`;
    await directory.credentials.setPassword(user.id, password);
    // A returning user: consented to the web app calling the API before (the demo leaves web -> api
    // to user consent), so the story page needs no consent page on each new user's first visit.
    directory.consents.grant(tenantId, emulator.devJson.apps.web.clientId, emulator.devJson.apps.api.clientId, user.id, ['user_impersonation']);
    users.push({ username: user.userPrincipalName, password, displayName: user.displayName, oid: user.id });
  }
  return {
    info: { url: emulator.url, caPem: emulator.caPem, caFile: emulator.caFile, devJson: emulator.devJson, benchUsers: users },
    close: () => emulator.close(),
  };
});
