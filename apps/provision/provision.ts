/**
 * `entrakit provision`: validate the manifest, sign in, then for each app (in manifest order,
 * so an API exists before the apps that ask for its scopes) read its state, plan, print, and
 * (unless a dry run) apply. A second run finds everything as declared: "no changes", no write.
 */
import { readEnvFile } from './env-file.ts';
import type { GraphClient } from './graph-client.ts';
import type { Manifest } from './manifest.ts';
import { planApp, type AppPlan, type FieldChange } from './app-plan.ts';
import { readAppState } from './app-state.ts';
import { ResourceResolver } from './resources.ts';

export interface ProvisionOptions {
  manifest: Manifest;
  graph: GraphClient;
  envFile: string;
  dryRun: boolean;
  print: (line: string) => void;
  now?: () => number;
}

export interface ProvisionResult {
  /** Steps planned (dry run) or applied. */
  changes: number;
  /** Graph requests that changed something. */
  writes: number;
  plans: AppPlan[];
}

function show(value: unknown): string {
  if (value === undefined) return '(none)';
  const text = JSON.stringify(value);
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

/** A list field as what it gains and loses (scopes and roles by their value), other fields as old -> new. */
function describeChange(change: FieldChange): string {
  const { from, to } = change;
  if (!Array.isArray(from) || !Array.isArray(to)) return `${show(from)} -> ${show(to)}`;
  const key = (item: unknown) => JSON.stringify(item);
  const label = (item: unknown) => show(typeof item === 'object' && item !== null && 'value' in item ? (item as { value: unknown }).value : item);
  const added = to.filter((item) => !from.some((old) => key(old) === key(item)));
  const removed = from.filter((item) => !to.some((next) => key(next) === key(item)));
  return [...added.map((item) => `+ ${label(item)}`), ...removed.map((item) => `- ${label(item)}`)].join(', ');
}

function printChanges(print: (line: string) => void, changes: FieldChange[] | undefined, created: boolean): void {
  for (const change of changes ?? []) print(`      ${change.field}: ${created ? show(change.to) : describeChange(change)}`);
}

const SYMBOL = { create: '+', update: '~', add: '+' } as const;

export async function provision(options: ProvisionOptions): Promise<ProvisionResult> {
  const { manifest, graph, print, dryRun } = options;
  const now = options.now ?? Date.now;
  const resolver = new ResourceResolver(graph);
  const plans: AppPlan[] = [];
  let changes = 0;

  for (const app of manifest.apps) {
    print(`app "${app.name}"`);
    const state = await readAppState(graph, app.name);
    const plan = await planApp(app, state, { graph, resolver, envFile: options.envFile, envValues: await readEnvFile(options.envFile), now });
    plans.push(plan);
    for (const step of plan.steps) {
      print(`  ${SYMBOL[step.action]} ${step.action} ${step.what}`);
      printChanges(print, step.changes, step.action === 'create');
      if (!dryRun) {
        await step.apply(plan.context);
        print(`    done`);
      }
    }
    for (const what of plan.unchanged) print(`  = unchanged ${what}`);
    for (const note of plan.notes) print(`  ! ${note}`);
    changes += plan.steps.length;
    // The apps after this one may ask for its permissions: they resolve to the ids just written (or planned).
    resolver.remember(app.name, { ...plan.asResource, appId: plan.context.appId, spId: plan.context.spId });
    if (!dryRun && plan.context.appId) print(`  appId ${plan.context.appId}`);
  }
  if (changes === 0) print('no changes');
  else print(dryRun ? `dry run: ${changes} change${changes === 1 ? '' : 's'} planned, nothing written` : `${changes} change${changes === 1 ? '' : 's'} applied`);
  return { changes, writes: graph.writes, plans };
}
