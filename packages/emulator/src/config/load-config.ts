import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { z } from 'zod';
import { emulatorConfigSchema, type EmulatorConfig, type EmulatorConfigInput } from './schema.ts';

/** A config file that is not valid; the message lists each problem as `json.path: what is wrong`. */
export class EmulatorConfigError extends Error {
  override name = 'EmulatorConfigError';
  readonly problems: string[];
  constructor(source: string, problems: string[]) {
    super(`${source} is not a valid emulator config:\n  ${problems.join('\n  ')}`);
    this.problems = problems;
  }
}

/** `tenants[0].apps[1].redirectUris[0]` from zod's path. */
export function jsonPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out === '' ? String(part) : `.${String(part)}`;
  return out || '(root)';
}

function describe(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `${jsonPath(issue.path)}: unknown setting${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  if (issue.code === 'invalid_type' && issue.input === undefined) return `${jsonPath(issue.path)}: is required`;
  return `${jsonPath(issue.path)}: ${issue.message}`;
}

export interface LoadedConfig {
  config: EmulatorConfig;
  /** Certificate `file` paths are resolved against this folder. */
  baseDir: string;
  /** Where it came from, for messages. */
  source: string;
}

/** Validates a config object; throws EmulatorConfigError listing every problem. */
export function parseEmulatorConfig(input: unknown, source = 'config', baseDir = process.cwd()): LoadedConfig {
  const result = emulatorConfigSchema.safeParse(input);
  if (!result.success) throw new EmulatorConfigError(source, result.error.issues.map(describe));
  return { config: result.data, baseDir, source };
}

/** Reads and validates a JSON config file. */
export function loadEmulatorConfigFile(path: string): LoadedConfig {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new EmulatorConfigError(file, [`cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new EmulatorConfigError(file, [`is not JSON: ${error instanceof Error ? error.message : String(error)}`]);
  }
  return parseEmulatorConfig(json, file, dirname(file));
}

/** A config given as a path (JSON file) or as an object. */
export function resolveEmulatorConfig(config: string | EmulatorConfigInput): LoadedConfig {
  return typeof config === 'string' ? loadEmulatorConfigFile(config) : parseEmulatorConfig(config);
}

export function resolveFrom(baseDir: string, file: string): string {
  return isAbsolute(file) ? file : resolve(baseDir, file);
}
