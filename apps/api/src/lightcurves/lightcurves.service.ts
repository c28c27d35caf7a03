import { Injectable } from '@nestjs/common';
import { DomainError } from '@sextant/domain';
import { importLightCurve } from '@sextant/imports';
import { JobsPlatform } from '../jobs/jobs-platform';
import type { ImportLightCurveArgs, TransitSearchInput } from './dto/lightcurve.inputs';
import type {
  LightCurveImportModel,
  TransitCandidateDetailModel,
  TransitCandidateListModel,
  TransitCandidateModel,
  TransitSearchSubmittedModel,
} from './lightcurves.model';
import { CandidateRow, LightCurvesRepository } from './lightcurves.repository';

function toModel(row: CandidateRow): TransitCandidateModel {
  const m = row.metadata as Record<string, never>;
  return {
    id: row.id,
    name: row.name,
    starId: row.ownerId,
    runId: m.runId,
    rank: m.rank,
    period: m.period,
    epoch: m.epoch,
    timeReference: m.timeReference,
    depthPpm: m.depthPpm,
    durationHours: m.durationHours,
    snr: m.snr,
    sde: m.sde,
    sdeRobust: m.sdeRobust,
    transits: m.transits,
    knownPlanet: m.knownPlanet ?? false,
    koi: m.koi ?? null,
    createdAt: row.createdAt,
  };
}

/** Light-curve imports, transit searches of a star and the candidates they found. */
@Injectable()
export class LightCurvesService {
  constructor(
    private readonly repository: LightCurvesRepository,
    private readonly jobs: JobsPlatform,
  ) {}

  async import(args: ImportLightCurveArgs, body: unknown): Promise<LightCurveImportModel> {
    if (!Buffer.isBuffer(body) || body.length === 0) {
      throw DomainError.validation([
        {
          field: 'file',
          reason: 'send the FITS file as the body, with content-type application/octet-stream',
        },
      ]);
    }
    const result = await importLightCurve(this.repository.pool, {
      bytes: new Uint8Array(body.buffer, body.byteOffset, body.length),
      parentId: args.parentId,
      name: args.name,
    });
    return { ...result, meta: { ...result.meta } };
  }

  async search(starId: string, input: TransitSearchInput): Promise<TransitSearchSubmittedModel> {
    await this.requireStar(starId);
    const params = Object.fromEntries(
      Object.entries({ ...input, starId }).filter(([, v]) => v !== undefined),
    );
    const run = await this.jobs.platform.submit({
      type: 'transit-search',
      params,
      ownerId: starId,
    });
    return { runId: run.id, state: run.state };
  }

  async candidates(starId: string): Promise<TransitCandidateListModel> {
    await this.requireStar(starId);
    return { items: (await this.repository.latestCandidates(starId)).map(toModel) };
  }

  async candidate(id: string): Promise<TransitCandidateDetailModel> {
    const row = await this.repository.candidate(id);
    if (!row) throw new DomainError('ItemNotFound', `no transit candidate with id ${id}`);
    const m = row.metadata as Record<string, never>;
    return { ...toModel(row), periodogram: m.periodogram, folded: m.folded };
  }

  private async requireStar(id: string): Promise<void> {
    const kind = await this.repository.nodeKind(id);
    if (kind === null) throw new DomainError('NodeNotFound', `no node with id ${id}`);
    if (kind !== 'star') {
      throw DomainError.validation([
        { field: 'id', reason: `node ${id} is a ${kind}, not a star` },
      ]);
    }
  }
}
