import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./msal_python_client.py', import.meta.url));
const RUN_TIMEOUT_MS = 20_000;

/** A small, fixed environment: the child sees only what it needs (no inherited PYTHONPATH, proxies or secrets). */
export function baseEnv(): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', NO_PROXY: 'localhost,127.0.0.1', no_proxy: 'localhost,127.0.0.1' };
  for (const name of ['HOME', 'LANG', 'TMPDIR']) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/**
 * The first interpreter that can import `module`: ENTRAKIT_PYTHON, then `python3`, then Debian's
 * /usr/bin/python3 (where `apt-get install python3-msal` puts it when pyenv shadows `python3`).
 */
export function findPythonWith(module: string, timeoutMs = 10_000): string | undefined {
  const candidates = [process.env['ENTRAKIT_PYTHON'], 'python3', '/usr/bin/python3'].filter((c): c is string => Boolean(c));
  return candidates.find((python) => spawnSync(python, ['-c', `import ${module}`], { env: baseEnv(), stdio: 'ignore', timeout: timeoutMs }).status === 0);
}

export function findPythonWithMsal(): string | undefined {
  return findPythonWith('msal');
}

export type PythonMessage = Record<string, unknown>;

/**
 * Runs one mode of msal_python_client.py. Each JSON line it prints goes to `onMessage`; a returned
 * object is written back as one JSON line on stdin. Resolves with the last line.
 */
export function runMsalPython(
  python: string,
  mode: 'client_credentials' | 'auth_code' | 'on_behalf_of' | 'password',
  vars: Record<string, string>,
  onMessage: (message: PythonMessage) => Promise<PythonMessage | undefined> = async () => undefined,
): Promise<PythonMessage> {
  const env = { ...baseEnv(), ...Object.fromEntries(Object.entries(vars).map(([k, v]) => [k.startsWith('REQUESTS_') ? k : `ENTRAKIT_${k}`, v])) };
  const child = spawn(python, [SCRIPT, mode], { env, stdio: ['pipe', 'pipe', 'pipe'], timeout: RUN_TIMEOUT_MS });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
  let last: PythonMessage | undefined;
  let failure: unknown;
  let handling: Promise<void> = Promise.resolve();
  createInterface({ input: child.stdout }).on('line', (line) => {
    let message: PythonMessage;
    try {
      message = JSON.parse(line) as PythonMessage;
    } catch {
      failure ??= new Error(`msal_python_client.py ${mode} printed a line that is not JSON`);
      child.kill();
      return;
    }
    last = message;
    handling = handling
      .then(() => (failure === undefined ? onMessage(message) : undefined))
      .then((reply) => {
        if (reply) child.stdin.write(`${JSON.stringify(reply)}\n`);
      })
      .catch((error: unknown) => {
        failure = error;
        child.kill();
      });
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      void handling.then(() => {
        if (failure !== undefined) reject(failure);
        else if (code === 0 && last) resolve(last);
        else reject(new Error(`msal_python_client.py ${mode} exited with ${code ?? signal}:\n${stderr}`));
      });
    });
  });
}
