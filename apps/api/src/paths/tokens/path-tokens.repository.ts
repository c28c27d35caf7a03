import { Injectable } from '@nestjs/common';
import { PrismaService } from '../../prisma/prisma.service';
import type { PathTokenModel } from './path-token.model';

const publicColumns = {
  id: true,
  pathId: true,
  name: true,
  prefix: true,
  createdAt: true,
  revokedAt: true,
  lastUsedAt: true,
} as const;

/** The most tokens listed for one path (revoked ones included): the newest. */
export const maxPathTokens = 1_000;

/** Queries of path tokens; the hash and the sealed key never leave this file. */
@Injectable()
export class PathTokensRepository {
  constructor(private readonly prisma: PrismaService) {}

  async pathExists(pathId: string): Promise<boolean> {
    const path = await this.prisma.client.path.findUnique({
      where: { id: pathId },
      select: { id: true },
    });
    return path !== null;
  }

  async sourceOf(pathId: string): Promise<string | null> {
    const path = await this.prisma.client.path.findUnique({
      where: { id: pathId },
      select: { sourceId: true },
    });
    return path?.sourceId ?? null;
  }

  list(pathId: string): Promise<PathTokenModel[]> {
    return this.prisma.client.pathToken.findMany({
      where: { pathId },
      select: publicColumns,
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: maxPathTokens,
    });
  }

  find(pathId: string, tokenId: string): Promise<PathTokenModel | null> {
    return this.prisma.client.pathToken.findFirst({
      where: { id: tokenId, pathId },
      select: publicColumns,
    });
  }

  create(data: {
    id: string;
    pathId: string;
    name: string;
    prefix: string;
    tokenHash: string;
    sharedKeySealed: Uint8Array<ArrayBuffer>;
  }): Promise<PathTokenModel> {
    return this.prisma.client.pathToken.create({ data, select: publicColumns });
  }

  revoke(tokenId: string): Promise<PathTokenModel> {
    return this.prisma.client.pathToken.update({
      where: { id: tokenId },
      data: { revokedAt: new Date() },
      select: publicColumns,
    });
  }
}
