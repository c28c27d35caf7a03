import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  CdcSourceError,
  ChangeApplier,
  checkSource,
  connectionHint,
  dropSlotAndPublication,
  isKeyColumnList,
  lakeSchemaName,
  qualifiedTableName,
  SourceGuard,
} from '@sextant/cdc';
import { openSecret, sealSecret, SecretError } from '@sextant/config';
import { DomainError, FieldError } from '@sextant/domain';
import { uuidv7 } from '@sextant/ingest';
import { API_CONFIG, ApiConfig } from '../api-config';
import { AccessService } from '../access/access.service';
import { AuditService } from '../audit/audit.service';
import type { Principal, RequestOrigin } from '../auth/principal';
import { translatePrismaError } from '../common/prisma-errors';
import {
  CdcCommandModel,
  CdcDeadLetterModel,
  CdcLagSampleModel,
  CdcReplayResultModel,
  CdcSourceModel,
} from './cdc-source.model';
import { CdcSourceRow, CdcSourcesRepository } from './cdc-sources.repository';
import type { CreateCdcSourceInput } from './dto/cdc-source.inputs';

/** A status older than this has no live process behind it. */
const staleStatusMs = 10_000;

function toModel(row: CdcSourceRow): CdcSourceModel {
  const source = row.cdcSource!;
  const status = row.cdcStatus;
  const stale = !status || Date.now() - status.updatedAt.getTime() > staleStatusMs;
  const state =
    row.state === 'paused' && (!status || stale)
      ? 'paused'
      : !status || (stale && !['paused', 'stopped'].includes(status.state))
        ? 'waiting'
        : status.state;
  return {
    id: row.id,
    name: source.name,
    state: row.state,
    sourceId: row.sourceId,
    destinationId: row.destinationId,
    connection: source.connectionHint,
    tables: source.tables,
    keys: source.keys as Record<string, string[]>,
    slot: source.slot,
    publication: source.publication,
    mirrorSchema: lakeSchemaName(source.name),
    createdAt: row.createdAt,
    status: {
      state,
      confirmedLsn: status?.confirmedLsn ?? null,
      sourceLsn: status?.sourceLsn ?? null,
      lagBytes: status?.lagBytes === null || !status ? null : Number(status.lagBytes),
      lagSeconds: status?.lagSeconds ?? null,
      changesPerSecond: stale ? 0 : (status?.changesPerS ?? 0),
      changesApplied: status ? Number(status.changesApplied) : 0,
      lastError: status?.lastError ?? null,
      lastErrorAt: status?.lastErrorAt ?? null,
      nextRetryAt: status?.nextRetryAt ?? null,
      pausedReason: status?.pausedReason ?? null,
      problems: [
        ...((status?.problems as string[] | undefined) ?? []),
        ...(status && stale && row.state === 'active'
          ? [
              `no report from ${status.runner ?? 'its process'} since ${status.updatedAt.toISOString()}: is a worker running?`,
            ]
          : []),
      ],
      runner: status?.runner ?? null,
      updatedAt: status?.updatedAt ?? null,
    },
  };
}

function keysOf(input: unknown): Record<string, string[]> {
  const keys: Record<string, string[]> = {};
  for (const [table, columns] of Object.entries((input ?? {}) as Record<string, unknown>)) {
    if (!isKeyColumnList(columns)) {
      throw DomainError.validation([
        { field: 'keys', reason: `"${table}" must list its key columns, e.g. ["id"]` },
      ]);
    }
    keys[qualifiedTableName(table)] = columns;
  }
  return keys;
}

/** Why a source cannot be captured, as the field a client should fix. */
function sourceProblem(error: CdcSourceError): FieldError {
  const field = ['TableNotFound', 'TableWithoutKey'].includes(error.code)
    ? 'tables'
    : 'connectionString';
  return { field, reason: error.reason };
}

@Injectable()
export class CdcSourcesService {
  private readonly logger = new Logger('cdc');
  // Every connection to a source: never the platform's own database, local addresses only
  // when allowed, connection failures told as "could not connect" (the reason is logged).
  private readonly guard: SourceGuard;

  constructor(
    private readonly repository: CdcSourcesRepository,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    private readonly access: AccessService,
    private readonly audit: AuditService,
  ) {
    this.guard = new SourceGuard({
      allowedHosts: config.cdc.allowedHosts,
      ownDatabaseUrl: config.databaseUrl,
      log: (line) => this.logger.warn(line),
    });
  }

  async list(actor: Principal): Promise<CdcSourceModel[]> {
    const visible = await this.access.scopeNodeIds(this.access.scope(actor, 'cdc.read'));
    return (await this.repository.list(visible)).map(toModel);
  }

  async get(id: string): Promise<CdcSourceModel> {
    return toModel(await this.row(id));
  }

  async create(
    actor: Principal,
    origin: RequestOrigin,
    input: CreateCdcSourceInput,
  ): Promise<CdcSourceModel> {
    const secretKey = this.secretKey();
    const keys = keysOf(input.keys);
    const tables = [...new Set(input.tables.map(qualifiedTableName))];
    const errors: FieldError[] = [];
    if (input.sourceId === input.destinationId) {
      errors.push({ field: 'destinationId', reason: 'must differ from sourceId' });
    }
    const nodes = await this.repository.existingNodeIds([input.sourceId, input.destinationId]);
    for (const field of ['sourceId', 'destinationId'] as const) {
      if (!nodes.has(input[field]))
        errors.push({ field, reason: `no node with id ${input[field]}` });
    }
    if (errors.length) throw DomainError.validation(errors);
    try {
      await checkSource(input.connectionString, tables, keys, this.guard.connector);
    } catch (error) {
      if (error instanceof CdcSourceError) throw DomainError.validation([sourceProblem(error)]);
      throw error;
    }
    try {
      const row = await this.repository.create({
        pathName: input.pathName ?? `CDC ${input.name}`,
        sourceId: input.sourceId,
        destinationId: input.destinationId,
        paused: input.paused ?? false,
        source: {
          name: input.name,
          connectionSecret: new Uint8Array(sealSecret(secretKey, input.connectionString)),
          connectionHint: connectionHint(input.connectionString),
          tables,
          keys,
          slot: input.slot ?? `sextant_${input.name}`.slice(0, 63),
          publication: input.publication ?? `sextant_${input.name}`.slice(0, 63),
        },
      });
      await this.audit.record(actor, origin, {
        action: 'cdc.create',
        outcome: 'success',
        nodeId: row.sourceId,
        targetType: 'path',
        targetId: row.id,
        details: { name: input.name, tables, connection: connectionHint(input.connectionString) },
      });
      return toModel(row);
    } catch (error) {
      throw translatePrismaError(error, 'CDC source');
    }
  }

  async pause(id: string): Promise<CdcSourceModel> {
    await this.row(id);
    await this.repository.setState(id, 'paused');
    return this.get(id);
  }

  /** Resumes the path, and a source its process paused itself (after a schema change). */
  async resume(id: string): Promise<CdcSourceModel> {
    await this.row(id);
    await this.repository.setState(id, 'active');
    await this.repository.addCommand(id, uuidv7(), 'resume', null);
    return this.get(id);
  }

  async resnapshot(id: string, table: string): Promise<CdcCommandModel> {
    const row = await this.row(id);
    const name = qualifiedTableName(table);
    if (!row.cdcSource!.tables.includes(name)) {
      throw DomainError.validation([
        {
          field: 'table',
          reason: `${name} is not captured by this source (${row.cdcSource!.tables.join(', ')})`,
        },
      ]);
    }
    if (row.state !== 'active') {
      throw new DomainError(
        'CdcSourcePaused',
        `source ${row.cdcSource!.name} is ${row.state}: resume it before re-reading a table`,
      );
    }
    return toCommand(await this.repository.addCommand(id, uuidv7(), 'resnapshot', name));
  }

  async commands(id: string): Promise<CdcCommandModel[]> {
    await this.row(id);
    return (await this.repository.commands(id, 50)).map(toCommand);
  }

  async lag(id: string, minutes: number): Promise<CdcLagSampleModel[]> {
    await this.row(id);
    const samples = await this.repository.samples(id, new Date(Date.now() - minutes * 60_000));
    return samples.map((s) => ({
      at: s.at,
      lagBytes: s.lagBytes === null ? null : Number(s.lagBytes),
      lagSeconds: s.lagSeconds,
      changesPerSecond: s.changesPerS,
    }));
  }

  async deadLetters(id: string, includeReplayed: boolean): Promise<CdcDeadLetterModel[]> {
    const row = await this.row(id);
    const letters = await this.repository.deadLetters(row.cdcSource!.name, includeReplayed);
    return letters.map((l) => ({
      id: l.id,
      topic: l.topic,
      partition: l.partition,
      offset: l.offset === null ? null : String(l.offset),
      position: l.position,
      reason: l.reason,
      payload: l.payload === null ? null : payloadText(Buffer.from(l.payload)),
      createdAt: l.createdAt,
      replayedAt: l.replayedAt,
    }));
  }

  async replay(id: string, ids?: string[]): Promise<CdcReplayResultModel> {
    const row = await this.row(id);
    const source = row.cdcSource!;
    const applier = new ChangeApplier(this.repository.pool, {
      source: source.name,
      sourceNodeId: row.sourceId,
      destinationNodeId: row.destinationId,
      pathId: row.id,
      keys: source.keys as Record<string, string[]>,
    });
    return applier.replayDeadLetters({ ids });
  }

  /**
   * Stops the source (pauses the path and waits for its process to let go), drops its slot
   * and publication on the source, then forgets it: the path is deleted, or revoked when
   * movements refer to it. The mirror stays unless dropMirror.
   */
  async drop(
    actor: Principal,
    origin: RequestOrigin,
    id: string,
    options: { force: boolean; dropMirror: boolean },
  ) {
    const row = await this.row(id);
    const source = row.cdcSource!;
    await this.repository.setState(id, 'paused');
    await this.waitUntilReleased(id);
    let dropped = { slotDropped: false, publicationDropped: false };
    let warning: string | null = null;
    try {
      const url = openSecret(this.secretKey(), source.connectionSecret);
      dropped = await dropSlotAndPublication(
        url,
        source.slot,
        source.publication,
        this.guard.connector,
      );
    } catch (error) {
      if (!(error instanceof CdcSourceError || error instanceof SecretError)) throw error;
      const reason = error instanceof CdcSourceError ? error.reason : error.message;
      if (!options.force) {
        throw new DomainError(
          'SourceUnreachable',
          `cannot drop slot ${source.slot} on the source: ${reason}. The source is paused; retry, or drop with force=true to forget it (its slot then stays on the source and keeps WAL)`,
        );
      }
      warning = `slot ${source.slot} and publication ${source.publication} were left on the source: ${reason}`;
    }
    const mirrorSchema = lakeSchemaName(source.name);
    if (options.dropMirror) await this.repository.dropSchema(mirrorSchema);
    const movements = await this.repository.countMovements(id);
    await this.repository.forget(id, source.name, movements > 0);
    await this.audit.record(actor, origin, {
      action: 'cdc.drop',
      outcome: 'success',
      nodeId: row.sourceId,
      targetType: 'path',
      targetId: id,
      details: { name: source.name, dropMirror: options.dropMirror, force: options.force },
    });
    return {
      ...dropped,
      mirrorDropped: options.dropMirror,
      mirrorSchema,
      path: movements > 0 ? 'revoked' : 'deleted',
      warning,
    };
  }

  private async waitUntilReleased(id: string) {
    for (let waited = 0; waited < 15_000; waited += 200) {
      const row = await this.repository.find(id);
      const status = row?.cdcStatus;
      if (
        !status ||
        ['paused', 'stopped'].includes(status.state) ||
        Date.now() - status.updatedAt.getTime() > staleStatusMs
      ) {
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  private async row(id: string): Promise<CdcSourceRow> {
    const row = await this.repository.find(id);
    if (!row) throw new DomainError('CdcSourceNotFound', `no CDC source with id ${id}`);
    return row;
  }

  private secretKey(): string {
    if (!this.config.secretKey) {
      throw new DomainError(
        'SecretKeyMissing',
        'SEXTANT_SECRET_KEY is not set on the API: it encrypts connection strings at rest (npm start sets one)',
      );
    }
    return this.config.secretKey;
  }
}

function toCommand(c: {
  id: string;
  kind: string;
  tableName: string | null;
  requestedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  error: string | null;
}): CdcCommandModel {
  const state = c.finishedAt ? (c.error ? 'failed' : 'done') : c.startedAt ? 'running' : 'pending';
  return {
    id: c.id,
    kind: c.kind,
    table: c.tableName,
    state,
    requestedAt: c.requestedAt,
    finishedAt: c.finishedAt,
    error: c.error,
  };
}

/** A dead letter's bytes as text when they are UTF-8, else base64. */
function payloadText(bytes: Buffer): string {
  const text = bytes.toString('utf8');
  return Buffer.from(text, 'utf8').equals(bytes) ? text : `base64:${bytes.toString('base64')}`;
}
