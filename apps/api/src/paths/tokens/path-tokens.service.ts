import { Inject, Injectable } from '@nestjs/common';
import { sealSecret } from '@sextant/config';
import { DomainError } from '@sextant/domain';
import { newToken, uuidv7 } from '@sextant/ingest';
import { API_CONFIG, ApiConfig } from '../../api-config';
import type { CreatedPathTokenModel, PathTokenModel } from './path-token.model';
import { PathTokensRepository } from './path-tokens.repository';
import { AuditService } from '../../audit/audit.service';
import type { Principal, RequestOrigin } from '../../auth/principal';

/** Path credentials: created with their secret shown once, listed without it, revoked. */
@Injectable()
export class PathTokensService {
  constructor(
    private readonly tokens: PathTokensRepository,
    private readonly audit: AuditService,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  async list(pathId: string): Promise<PathTokenModel[]> {
    await this.checkPath(pathId);
    return this.tokens.list(pathId);
  }

  async create(
    actor: Principal,
    origin: RequestOrigin,
    pathId: string,
    name: string,
  ): Promise<CreatedPathTokenModel> {
    await this.checkPath(pathId);
    const { token, hash, sharedKey, prefix } = newToken();
    // The forward handshake needs the shared key itself: kept sealed, never in the clear.
    const sharedKeySealed = new Uint8Array(sealSecret(this.secretKey(), sharedKey));
    const row = await this.tokens.create({
      id: uuidv7(),
      pathId,
      name,
      prefix,
      tokenHash: hash,
      sharedKeySealed,
    });
    await this.record(actor, origin, 'path-token.create', row);
    return { ...row, token };
  }

  private async record(
    actor: Principal,
    origin: RequestOrigin,
    action: string,
    row: PathTokenModel,
  ) {
    await this.audit.record(actor, origin, {
      action,
      outcome: 'success',
      nodeId: await this.tokens.sourceOf(row.pathId),
      targetType: 'path-token',
      targetId: row.id,
      details: { pathId: row.pathId, name: row.name, prefix: row.prefix },
    });
  }

  /** Revokes a token (again is fine); writes with it get 401 from then on. */
  async revoke(
    actor: Principal,
    origin: RequestOrigin,
    pathId: string,
    tokenId: string,
  ): Promise<PathTokenModel> {
    const existing = await this.tokens.find(pathId, tokenId);
    if (!existing) throw new DomainError('TokenNotFound', `path ${pathId} has no token ${tokenId}`);
    if (existing.revokedAt) return existing;
    const revoked = await this.tokens.revoke(tokenId);
    await this.record(actor, origin, 'path-token.revoke', revoked);
    return revoked;
  }

  private secretKey(): string {
    if (!this.config.secretKey) {
      throw new DomainError(
        'SecretKeyMissing',
        'SEXTANT_SECRET_KEY is not set on the API: it seals the forward shared keys of path tokens at rest (npm start sets one)',
      );
    }
    return this.config.secretKey;
  }

  private async checkPath(pathId: string): Promise<void> {
    if (!(await this.tokens.pathExists(pathId)))
      throw new DomainError('PathNotFound', `no path with id ${pathId}`);
  }
}
