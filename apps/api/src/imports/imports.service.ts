import { Injectable } from '@nestjs/common';
import { DomainError } from '@sextant/domain';
import { importCmapss } from '@sextant/jobs';
import { PrismaService } from '../prisma/prisma.service';
import type { ImportCmapssArgs } from './dto/import.inputs';
import type { CmapssImportModel } from './imports.model';

/** The body of an upload as text: CSV or whitespace-separated files sent as the request body. */
export function uploadedText(body: unknown, what: string): string {
  const text = Buffer.isBuffer(body) ? body.toString('utf8') : body;
  if (typeof text !== 'string' || text.trim() === '') {
    throw DomainError.validation([
      {
        field: 'file',
        reason: `send ${what} as the body, with content-type text/csv, text/plain or application/octet-stream`,
      },
    ]);
  }
  if (text.includes('\uFFFD')) {
    throw DomainError.validation([{ field: 'file', reason: 'is not valid UTF-8 text' }]);
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
}
