import { Injectable } from '@nestjs/common';
import type { ResourceModel as Resource } from '@sextant/db';
import { DomainError } from '@sextant/domain';
import { keysetQuery, parseSort, toPage } from '../common/cursor';
import { decimalToString } from '../common/decimal';
import type { Page } from '../common/graphql-types';
import { translatePrismaError } from '../common/prisma-errors';
import type {
  CreateResourceInput,
  ListResourcesArgs,
  UpdateResourceInput,
} from './dto/resource.inputs';
import type { ResourceModel } from './resource.model';
import { ResourcesRepository } from './resources.repository';

const sortable = ['reference', 'name', 'createdAt'] as const;

function toModel(row: Resource): ResourceModel {
  return { ...row, unitPrice: decimalToString(row.unitPrice) };
}

@Injectable()
export class ResourcesService {
  constructor(private readonly resources: ResourcesRepository) {}

  async list(args: ListResourcesArgs): Promise<Page<ResourceModel>> {
    const limit = args.limit ?? 50;
    const sort = parseSort(args.sort, sortable, { field: 'reference', direction: 'asc' });
    const page = keysetQuery(sort, args.cursor);
    const filters = [
      page.where,
      args.valueType ? { valueType: args.valueType } : {},
      args.q
        ? {
            OR: [
              { name: { contains: args.q, mode: 'insensitive' } },
              { reference: { contains: args.q, mode: 'insensitive' } },
            ],
          }
        : {},
    ];
    const rows = await this.resources.findMany({
      where: { AND: filters },
      orderBy: page.orderBy,
      take: limit + 1,
    });
    const result = toPage(rows, limit, sort.field);
    return { items: result.items.map(toModel), nextCursor: result.nextCursor };
  }

  async get(id: string): Promise<ResourceModel> {
    const row = await this.resources.findById(id);
    if (!row) throw new DomainError('ResourceNotFound', `no resource with id ${id}`);
    return toModel(row);
  }

  async create(input: CreateResourceInput): Promise<ResourceModel> {
    try {
      return toModel(
        await this.resources.create({ ...input, description: input.description ?? '' }),
      );
    } catch (error) {
      throw translatePrismaError(error, 'resource');
    }
  }

  async update(id: string, input: UpdateResourceInput): Promise<ResourceModel> {
    await this.get(id);
    try {
      return toModel(await this.resources.update(id, input));
    } catch (error) {
      throw translatePrismaError(error, 'resource');
    }
  }

  async remove(id: string): Promise<void> {
    await this.get(id);
    const movements = await this.resources.countMovements(id);
    if (movements > 0) {
      throw new DomainError(
        'ResourceInUse',
        `resource ${id} has ${movements} movements, which are permanent records`,
      );
    }
    await this.resources.delete(id);
  }
}
