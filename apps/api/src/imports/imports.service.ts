import { Injectable } from '@nestjs/common';
import { DomainError } from '@sextant/domain';
import {
  importCmapss,
  importSolarGeneration,
  importSolarWeather,
  importWindScada,
} from '@sextant/imports';
import { PrismaService } from '../prisma/prisma.service';
import type { ImportCmapssArgs, ImportWindScadaArgs } from './dto/import.inputs';
import type {
  CmapssImportModel,
  SolarGenerationImportModel,
  SolarWeatherImportModel,
  WindScadaImportModel,
} from './imports.model';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The body of an upload as text: UTF-8, or Latin-1 when it is not valid UTF-8 (T1.csv's
 * header has a Latin-1 degree sign; every byte is a Latin-1 character, so nothing is lost).
 */
export function uploadedText(body: unknown, what: string): string {
  let text = body;
  if (Buffer.isBuffer(body)) {
    try {
      text = utf8.decode(body);
    } catch {
      text = body.toString('latin1');
    }
  }
  if (typeof text !== 'string' || text.trim() === '') {
    throw DomainError.validation([
      {
        field: 'file',
        reason: `send ${what} as the body, with content-type text/csv, text/plain or application/octet-stream`,
      },
    ]);
  }
  return text;
}

/** File imports into machine nodes and their series (engines, turbines, solar plants). */
@Injectable()
export class ImportsService {
  constructor(private readonly prisma: PrismaService) {}

  cmapss(parentId: string, args: ImportCmapssArgs, body: unknown): Promise<CmapssImportModel> {
    return importCmapss(this.prisma.pool, {
      text: uploadedText(body, 'the C-MAPSS file'),
      parentId,
      fleet: args.fleet,
      history: args.history,
      cycleHours: args.cycleHours,
      firstCycleAt: args.firstCycleAt ? new Date(args.firstCycleAt) : undefined,
    });
  }

  windScada(
    parentId: string,
    args: ImportWindScadaArgs,
    body: unknown,
  ): Promise<WindScadaImportModel> {
    return importWindScada(this.prisma.pool, {
      text: uploadedText(body, "the turbine's SCADA CSV"),
      parentId,
      turbine: args.turbine,
    });
  }

  solarGeneration(parentId: string, body: unknown): Promise<SolarGenerationImportModel> {
    return importSolarGeneration(this.prisma.pool, {
      text: uploadedText(body, "the plant's generation CSV"),
      parentId,
    });
  }

  solarWeather(parentId: string, body: unknown): Promise<SolarWeatherImportModel> {
    return importSolarWeather(this.prisma.pool, {
      text: uploadedText(body, "the plant's weather sensor CSV"),
      parentId,
    });
  }
}
