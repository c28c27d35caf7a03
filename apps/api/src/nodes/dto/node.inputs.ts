import { ArgsType, Field, ID, InputType, Int } from '@nestjs/graphql';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { nodeKinds, type NodeKindName } from '@sextant/domain';
import { IsInt, IsOptional, IsUUID, Max, Min, ValidateIf } from 'class-validator';
import {
  BooleanField,
  EnumField,
  IdField,
  JsonObjectField,
  NameField,
  ReferenceField,
} from '../../common/fields';
import { NodeKindEnum } from '../../common/graphql-types';
import { ListArgs } from '../../common/list.args';
import { maxSubtreeSize } from '../nodes.limits';

@InputType({ description: 'A new node.' })
export class CreateNodeInput {
  @IdField({ optional: true, description: 'Parent node; omit for a root (an organisation).' })
  parentId?: string;

  @EnumField(nodeKinds, NodeKindEnum)
  kind!: NodeKindName;

  @NameField()
  name!: string;

  @ReferenceField({ description: 'Unique, e.g. acme.north.t07.' })
  reference!: string;

  @JsonObjectField({ optional: true })
  metadata?: Record<string, unknown>;
}

@InputType({
  description: 'Changes to a node; absent fields are kept. parentId null makes it a root.',
})
export class UpdateNodeInput {
  @Field(() => ID, { nullable: true })
  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String })
  @ValidateIf((_, value) => value !== null && value !== undefined)
  @IsUUID('all')
  parentId?: string | null;

  @EnumField(nodeKinds, NodeKindEnum, { optional: true })
  kind?: NodeKindName;

  @NameField({ optional: true })
  name?: string;

  @ReferenceField({ optional: true })
  reference?: string;

  @JsonObjectField({ optional: true })
  metadata?: Record<string, unknown>;
}

@ArgsType()
export class ListNodesArgs extends ListArgs {
  @EnumField(nodeKinds, NodeKindEnum, { optional: true })
  kind?: NodeKindName;

  @IdField({ optional: true })
  parentId?: string;

  @BooleanField({ optional: true, fromQuery: true, description: 'Only nodes without a parent.' })
  root?: boolean;
}

/** GraphQL children and subtree: how many nodes, the first in name order. */
@ArgsType()
export class TreeListArgs {
  @Field(() => Int, {
    nullable: true,
    description: `At most this many nodes, 1-${maxSubtreeSize} (default ${maxSubtreeSize}); nested in a page, ask for fewer (GRAPHQL_MAX_COST).`,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(maxSubtreeSize)
  limit?: number;
}
