import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '@sextant/domain';
import { API_CONFIG, ApiConfig } from '../api-config';
import { AuditService } from '../audit/audit.service';
import { AuthRepository, type ApiTokenRow } from './auth.repository';
import type { RequestOrigin, UserPrincipal } from './principal';
import { newSecret, secretPrefixes } from './secrets';
import { SessionsService } from './sessions.service';

const day = 86_400_000;

/** Personal API tokens for scripts: made, listed and revoked by their owner. */
@Injectable()
export class ApiTokensService {
  private readonly defaultDays: number;

  constructor(
    private readonly repository: AuthRepository,
    private readonly sessions: SessionsService,
    private readonly audit: AuditService,
    @Inject(API_CONFIG) config: ApiConfig,
  ) {
    this.defaultDays = config.auth.apiTokenDays;
  }

  async create(
    principal: UserPrincipal,
    input: { name: string; expiresInDays?: number },
    origin: RequestOrigin,
  ): Promise<ApiTokenRow & { token: string }> {
    const days = input.expiresInDays ?? this.defaultDays;
    const { secret, hash, prefix } = newSecret(secretPrefixes.apiToken);
    const row = await this.repository.createApiToken({
      userId: principal.userId,
      name: input.name,
      prefix,
      tokenHash: hash,
      expiresAt: new Date(Date.now() + days * day),
    });
    await this.audit.record(principal, origin, {
      action: 'api-token.create',
      outcome: 'success',
      subjectUserId: principal.userId,
      targetType: 'api-token',
      targetId: row.id,
      details: { name: input.name, prefix, expiresAt: row.expiresAt.toISOString() },
    });
    return { ...row, token: secret };
  }

  list(principal: UserPrincipal): Promise<ApiTokenRow[]> {
    return this.repository.apiTokensOf(principal.userId);
  }

  async revoke(principal: UserPrincipal, id: string, origin: RequestOrigin): Promise<ApiTokenRow> {
    const token = await this.repository.apiToken(principal.userId, id);
    if (!token) throw new DomainError('ApiTokenNotFound', `you have no API token with id ${id}`);
    const { tokenHash: _hash, ...existing } = token;
    if (existing.revokedAt) return existing;
    const row = await this.repository.revokeApiToken(id);
    this.sessions.forgetCredentials();
    await this.audit.record(principal, origin, {
      action: 'api-token.revoke',
      outcome: 'success',
      subjectUserId: principal.userId,
      targetType: 'api-token',
      targetId: id,
      details: { name: row.name, prefix: row.prefix },
    });
    return row;
  }

  /** Revokes every API token of a user but `keep`; the ids of those revoked. */
  async revokeAllOf(userId: string, keep: string | null): Promise<string[]> {
    const revoked = await this.repository.revokeApiTokensOf(userId, keep);
    this.sessions.forgetCredentials();
    return revoked;
  }
}
