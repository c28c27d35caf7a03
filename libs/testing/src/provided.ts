/**
 * Values a tier's global setup hands to its test files (the database server, the started
 * platform's URLs), keyed by name. Global setups and teardowns run in jest's main process;
 * the test workers it starts afterwards inherit its environment, where the values travel as
 * JSON, one variable per tier so that tiers run together do not mix.
 */
export interface ProvidedContext {
  postgresAdminUrl: string;
  postgresTemplate: string;
}

const prefix = 'SEXTANT_TEST_PROVIDED';
const variable = (tier: string) => `${prefix}_${tier.toUpperCase()}`;

/** In a global setup: makes `values` readable with `inject()` in the tier's test files. */
export function provide(tier: string, values: Partial<ProvidedContext>): void {
  const current = JSON.parse(process.env[variable(tier)] ?? '{}') as Partial<ProvidedContext>;
  process.env[variable(tier)] = JSON.stringify({ ...current, ...values });
}

/** In a test file: a value its tier's global setup provided. */
export function inject<K extends keyof ProvidedContext>(name: K): ProvidedContext[K] {
  // The tier's test environment (./jest/environment.ts) copies its values to this variable.
  const values = JSON.parse(process.env[prefix] ?? '{}') as Partial<ProvidedContext>;
  if (!(name in values)) {
    throw new Error(`${name} was not provided: run this test file through its jest project`);
  }
  return values[name] as ProvidedContext[K];
}

/** The variable that holds a tier's provided values, for its test environment. */
export function providedVariable(tier: string): { from: string; to: string } {
  return { from: variable(tier), to: prefix };
}

const teardowns = new Map<string, () => Promise<void>>();

/** In a global setup: what the tier's global teardown (./jest/global-teardown.ts) runs. */
export function onTeardown(tier: string, teardown: () => Promise<void>): void {
  teardowns.set(tier, teardown);
}

/** Runs and forgets the teardown a tier's global setup registered. */
export async function runTeardown(tier: string): Promise<void> {
  const teardown = teardowns.get(tier);
  teardowns.delete(tier);
  await teardown?.();
}
