import { cmapssColumns, parseCmapss, type CmapssColumn, type EngineRun } from '@sextant/analytics';
import { DomainError } from '@sextant/domain';
import type { ColumnBatch } from '@sextant/timeseries';
import type { Pool } from 'pg';
import { parseFile } from './import-columns';
import {
  ensureNodes,
  ensureResources,
  requireNode,
  writeAccounted,
  type ResourceDefinition,
} from './import-writer';

// C-MAPSS import: a turbofan file (unit, cycle, 3 settings, 21 sensors a row) becomes one
// machine node per engine under a given node, with one series per column (measurement
// `cmapss`, tags fleet, unit and the engine's node id, resource `cmapss.<column>`). Cycles are dated: cycle c of an engine at
// firstCycleAt + (c − 1) × cycleHours. A run-to-failure file (train_FD00x) trains models; an
// in-service one (histories cut before failure, like test_FD00x) is what rul-predict
// estimates. The engine's metadata keeps its dating, so estimates in cycles become dates.

export const cmapssMeasurement = 'cmapss';

export type EngineHistory = 'run-to-failure' | 'in-service';
export const engineHistories: readonly EngineHistory[] = ['run-to-failure', 'in-service'];

/** What an engine node's metadata holds (rul-train and rul-predict read it). */
export interface EngineMetadata {
  type: 'turbofan';
  fleet: string;
  unit: number;
  history: EngineHistory;
  cycles: number;
  firstCycleAt: string;
  cycleHours: number;
}

export interface CmapssImport {
  /** The file's text. */
  text: string;
  /** The node the engines go under (a fleet, a test cell, a site). */
  parentId: string;
  /** Fleet name, part of the engines' names and references (default FD001). */
  fleet?: string;
  history?: EngineHistory;
  /** Hours per cycle (default 8). */
  cycleHours?: number;
  /**
   * When cycle 1 happened. Default: run-to-failure engines from 2025-01-01; in-service ones
   * so that their last cycle is the start of the current day (UTC).
   */
  firstCycleAt?: Date;
  /** Instead of firstCycleAt: when each engine's last cycle happened. */
  lastCycleAt?: Date;
}

export interface CmapssImportResult {
  parentId: string;
  fleet: string;
  history: EngineHistory;
  engines: { id: string; name: string; unit: number; cycles: number; created: boolean }[];
  series: number;
  points: number;
  /** Points at timestamps not held before (accounted as movements). */
  newPoints: number;
}

const resourceOf = (column: CmapssColumn) => `cmapss.${column}`;

const cmapssResources: ResourceDefinition[] = cmapssColumns.map((column) => ({
  reference: resourceOf(column),
  name: column.startsWith('setting')
    ? `Turbofan operating ${column.replace('setting', 'setting ')}`
    : `Turbofan sensor ${column.slice(1)}`,
  unit: '1',
  description: `C-MAPSS column ${column}, one value per flight cycle`,
}));

const hourMs = 3_600_000;

/** Parses a C-MAPSS file and imports its engines (see the file's comment). */
export async function importCmapss(pool: Pool, input: CmapssImport): Promise<CmapssImportResult> {
  const runs = parseFile(() => parseCmapss(input.text, 'file'));
  return importEngineRuns(pool, runs, input);
}

/** Imports parsed engine runs (e.g. histories cut before failure for a demo). */
export async function importEngineRuns(
  pool: Pool,
  runs: EngineRun[],
  input: Omit<CmapssImport, 'text'>,
): Promise<CmapssImportResult> {
  const fleet = (input.fleet ?? 'FD001').trim();
  const history = input.history ?? 'run-to-failure';
  const cycleHours = input.cycleHours ?? 8;
  const errors = [];
  if (!/^[\w.-]{1,40}$/.test(fleet)) {
    errors.push({ field: 'fleet', reason: 'must be 1-40 letters, digits, dots or dashes' });
  }
  if (!engineHistories.includes(history)) {
    errors.push({ field: 'history', reason: `must be one of ${engineHistories.join(', ')}` });
  }
  if (!(cycleHours > 0 && cycleHours <= 24 * 30)) {
    errors.push({ field: 'cycleHours', reason: 'must be more than 0 and at most 720' });
  }
  if (errors.length) throw DomainError.validation(errors);
  await requireNode(pool, input.parentId);

  const firstCycleAt = (run: EngineRun): Date => {
    if (input.firstCycleAt) return input.firstCycleAt;
    if (history === 'run-to-failure' && !input.lastCycleAt) return new Date(Date.UTC(2025, 0, 1));
    const end = input.lastCycleAt ? new Date(input.lastCycleAt) : new Date();
    if (!input.lastCycleAt) end.setUTCHours(0, 0, 0, 0);
    const last = run.cycles[run.cycles.length - 1];
    return new Date(end.getTime() - (last - 1) * cycleHours * hourMs);
  };
  const engines = await ensureNodes(
    pool,
    runs.map((run) => {
      const metadata: EngineMetadata = {
        type: 'turbofan',
        fleet,
        unit: run.unit,
        history,
        cycles: run.cycles.length,
        firstCycleAt: firstCycleAt(run).toISOString(),
        cycleHours,
      };
      return {
        kind: 'machine',
        name: `${fleet} engine ${run.unit}`,
        reference: `engine:${fleet.toLowerCase()}-${run.unit}:${input.parentId}`,
        parentId: input.parentId,
        metadata: { ...metadata },
      };
    }),
  );
  const resources = await ensureResources(pool, cmapssResources);
  const columns: ColumnBatch[] = [];
  runs.forEach((run, e) => {
    // As stored: an engine imported before keeps its dating, so that its cycles land on the
    // same times.
    const dating = engines[e].metadata as Partial<EngineMetadata>;
    const first = dating.firstCycleAt ? new Date(dating.firstCycleAt) : firstCycleAt(run);
    const hours = dating.cycleHours ?? cycleHours;
    const start = BigInt(first.getTime()) * 1_000_000n;
    const step = BigInt(Math.round(hours * hourMs)) * 1_000_000n;
    const times = BigInt64Array.from(run.cycles, (c) => start + BigInt(c - 1) * step);
    for (const column of cmapssColumns) {
      columns.push({
        measurement: cmapssMeasurement,
        // The node's id too: the same fleet imported under two nodes is two sets of series.
        tags: { fleet, unit: String(run.unit), node: engines[e].id },
        field: column,
        type: 'float',
        times,
        values: run.columns[column],
        owner: { nodeId: engines[e].id, resourceId: resources.get(resourceOf(column))! },
      });
    }
  });
  const series = await writeAccounted(pool, columns, input.parentId, 'cmapss');
  return {
    parentId: input.parentId,
    fleet,
    history,
    engines: engines.map((engine, e) => ({
      id: engine.id,
      name: engine.name,
      unit: runs[e].unit,
      cycles: runs[e].cycles.length,
      created: engine.created,
    })),
    series: series.length,
    points: series.reduce((sum, s) => sum + s.points, 0),
    newPoints: series.reduce((sum, s) => sum + s.newPoints, 0),
  };
}
