import { Field, ID, ObjectType } from '@nestjs/graphql';
import { ApiProperty } from '@nestjs/swagger';
import { nodeKinds, type NodeKindName } from '@sextant/domain';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Connection, ItemList, NodeKindEnum } from '../common/graphql-types';

@ObjectType('Node', { description: 'Who or what owns, sends or receives data; nodes form a tree.' })
export class NodeModel {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @Field(() => ID, { nullable: true })
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  parentId!: string | null;

  @Field(() => NodeKindEnum)
  @ApiProperty({ enum: nodeKinds })
  kind!: NodeKindName;

  @Field()
  @ApiProperty({ maxLength: 200 })
  name!: string;

  @Field({ description: 'Unique, human-chosen reference, e.g. acme.windfarm-north.t07.' })
  @ApiProperty({ maxLength: 120 })
  reference!: string;

  @Field(() => GraphQLJSONObject)
  @ApiProperty({ type: 'object', additionalProperties: true })
  metadata!: Record<string, unknown>;

  @Field()
  @ApiProperty()
  createdAt!: Date;

  @Field()
  @ApiProperty()
  updatedAt!: Date;
}

@ObjectType('SubtreeNode', { description: 'A node of a subtree with its depth below the root.' })
export class SubtreeNodeModel extends NodeModel {
  @Field(() => Number)
  @ApiProperty()
  depth!: number;
}

export const NodeConnection = Connection(NodeModel, 'NodeConnection');
export const NodeList = ItemList(NodeModel, 'NodeList');
export const SubtreeNodeList = ItemList(SubtreeNodeModel, 'SubtreeNodeList');
