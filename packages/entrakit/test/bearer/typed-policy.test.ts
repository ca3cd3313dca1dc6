import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repo = resolve(import.meta.dirname, '..', '..', '..', '..');
const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');

/** Type-checks one file as a user's strict project would, importing `entrakit/bearer`. */
async function typecheck(dir: string, name: string, source: string): Promise<{ ok: boolean; output: string }> {
  await writeFile(join(dir, `${name}.ts`), source);
  await writeFile(
    join(dir, `tsconfig.${name}.json`),
    JSON.stringify({
      compilerOptions: {
        target: 'es2024', module: 'nodenext', moduleResolution: 'nodenext', strict: true, noEmit: true,
        allowImportingTsExtensions: true, verbatimModuleSyntax: true, skipLibCheck: true,
        lib: ['es2024', 'dom'], types: ['node'], customConditions: ['entrakit-source'],
      },
      files: [`${name}.ts`],
    }),
  );
  try {
    await run(process.execPath, [tsc, '-p', join(dir, `tsconfig.${name}.json`)], { cwd: dir });
    return { ok: true, output: '' };
  } catch (error) {
    return { ok: false, output: String((error as { stdout?: string }).stdout ?? error) };
  }
}

const policyFile = (audiencesKey: string): string => `import { createBearerAuthenticator } from 'entrakit/bearer';
export const auth = createBearerAuthenticator({
  discoveryUrls: ['https://login.microsoftonline.com/organizations/v2.0/.well-known/openid-configuration'],
  ${audiencesKey}: ['api://reports'],
});
`;

describe('the bearer policy is typed', { timeout: 120_000 }, () => {
  let dir = '';
  // Inside the repository, so `entrakit/bearer` resolves to this checkout's sources.
  before(async () => {
    dir = await mkdtemp(join(repo, 'packages', 'entrakit', 'test', '.typed-policy-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('a misspelt key (audience for audiences) does not compile under --strict; the right key does', async () => {
    const typo = await typecheck(dir, 'typo', policyFile('audience'));
    assert.equal(typo.ok, false, 'the typo compiled');
    assert.match(typo.output, /typo\.ts\(4,3\): error TS2561: Object literal may only specify known properties, but 'audience' does not exist/);
    const right = await typecheck(dir, 'right', policyFile('audiences'));
    assert.equal(right.ok, true, right.output);
  });

  it('still refuses the typo at run time, for JavaScript callers', async () => {
    const { createBearerAuthenticator } = await import('entrakit/bearer');
    const untyped: unknown = { discoveryUrls: ['https://login.microsoftonline.com/organizations/v2.0/.well-known/openid-configuration'], audience: ['x'] };
    assert.throws(() => createBearerAuthenticator(untyped as never), { name: 'TypeError', message: /Unrecognized key: "audience"/ });
  });
});
