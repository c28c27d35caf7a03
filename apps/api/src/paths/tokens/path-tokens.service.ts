import { Injectable } from '@nestjs/common';
import { DomainError } from '@sextant/domain';
import { newToken, uuidv7 } from '@sextant/ingest';
import type { CreatedPathTokenModel, PathTokenModel } from './path-token.model';
import { PathTokensRepository } from './path-tokens.repository';

/** Path credentials: created with their secret shown once, listed without it, revoked. */
@Injectable()
export class PathTokensService {
  constructor(private readonly tokens: PathTokensRepository) {}

  async list(pathId: string): Promise<PathTokenModel[]> {
    await this.checkPath(pathId);
    return this.tokens.list(pathId);
  }

  async create(pathId: string, name: string): Promise<CreatedPathTokenModel> {
    await this.checkPath(pathId);
    const { token, hash, prefix } = newToken();
    const row = await this.tokens.create({ id: uuidv7(), pathId, name, prefix, tokenHash: hash });
    return { ...row, token };
  }

  /** Revokes a token (again is fine); writes with it get 401 from then on. */
  async revoke(pathId: string, tokenId: string): Promise<PathTokenModel> {
    const existing = await this.tokens.find(pathId, tokenId);
    if (!existing) throw new DomainError('TokenNotFound', `path ${pathId} has no token ${tokenId}`);
    return existing.revokedAt ? existing : this.tokens.revoke(tokenId);
  }

  private async checkPath(pathId: string): Promise<void> {
    if (!(await this.tokens.pathExists(pathId)))
      throw new DomainError('PathNotFound', `no path with id ${pathId}`);
  }
}
