import { generateKeyPairSync } from 'node:crypto';
import { Worker } from 'node:worker_threads';

/** A header and claims about the size of an Entra access token's signing input (~1.2 KB). */
function typicalSigningInput(): string {
  const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const guid = '6e8f1c2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b';
  const header = { typ: 'JWT', alg: 'RS256', kid: 'K8mK1wG1yzD2e0dGvX3sK5nJ6cQ' };
  const claims = {
    aud: '00000003-0000-0000-c000-000000000000', iss: `https://sts.windows.net/${guid}/`, iat: 1_760_000_000, nbf: 1_760_000_000,
    exp: 1_760_003_600, aio: 'x'.repeat(56), app_displayname: 'entrakit web', appid: guid, appidacr: '1', idp: `https://sts.windows.net/${guid}/`,
    idtyp: 'app', oid: guid, rh: '0.AAAA' + 'y'.repeat(60), roles: ['User.Read.All', 'GroupMember.Read.All'], sub: guid, tid: guid,
    uti: 'z'.repeat(22), ver: '1.0', xms_tcdt: 1_700_000_000,
  };
  return `${b64(header)}.${b64(claims)}`;
}

/** RS256-2048 signatures per second summed over `threads` worker threads, each signing flat out. */
export async function rawSigningRate(threads: number, durationMs: number, warmupMs = 500): Promise<number> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const workerData = { keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }), signingInput: typicalSigningInput(), warmupMs, durationMs };
  const results = await Promise.all(
    Array.from({ length: threads }, () => {
      const worker = new Worker(new URL('./lib/sign-worker.ts', import.meta.url), { workerData });
      return new Promise<{ count: number; elapsedMs: number }>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
    }),
  );
  return results.reduce((sum, r) => sum + (r.count * 1000) / r.elapsedMs, 0);
}
