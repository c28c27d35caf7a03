import { Type } from '@nestjs/common';
import { Field, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ApiProperty } from '@nestjs/swagger';
import {
  itemKinds,
  movementOrigins,
  nodeKinds,
  pathProtocols,
  pathStates,
  valueTypes,
} from '@sextant/domain';

function enumObject<T extends string>(values: readonly T[]): Record<T, T> {
  return Object.fromEntries(values.map((v) => [v, v])) as Record<T, T>;
}

export const NodeKindEnum = enumObject(nodeKinds);
export const ValueTypeEnum = enumObject(valueTypes);
export const PathProtocolEnum = enumObject(pathProtocols);
export const PathStateEnum = enumObject(pathStates);
export const ItemKindEnum = enumObject(itemKinds);
export const MovementOriginEnum = enumObject(movementOrigins);
export const nodeRoles = ['source', 'destination', 'either'] as const;
export const NodeRoleEnum = enumObject(nodeRoles);

registerEnumType(NodeKindEnum, { name: 'NodeKind', description: 'What a node is.' });
registerEnumType(ValueTypeEnum, {
  name: 'ValueType',
  description: 'Type of the values of a resource.',
});
registerEnumType(PathProtocolEnum, {
  name: 'PathProtocol',
  description: 'How a path delivers data.',
});
registerEnumType(PathStateEnum, { name: 'PathState', description: 'Whether a path accepts data.' });
registerEnumType(ItemKindEnum, { name: 'ItemKind', description: 'What an item is.' });
registerEnumType(MovementOriginEnum, {
  name: 'MovementOrigin',
  description: 'What recorded a movement.',
});
registerEnumType(NodeRoleEnum, {
  name: 'NodeRole',
  description: 'A node as source, destination or either of a movement.',
});

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** A cursor page of T, for GraphQL and OpenAPI alike. */
export function Connection<T>(classRef: Type<T>, name: string): Type<Page<T>> {
  @ObjectType(name, { description: `A page of ${classRef.name.replace(/Model$/, '')} rows.` })
  class ConnectionType implements Page<T> {
    @Field(() => [classRef])
    @ApiProperty({ type: classRef, isArray: true })
    items!: T[];

    @Field(() => String, {
      nullable: true,
      description: 'Pass as `cursor` for the next page; null on the last.',
    })
    @ApiProperty({ type: String, nullable: true })
    nextCursor!: string | null;
  }
  Object.defineProperty(ConnectionType, 'name', { value: name });
  return ConnectionType;
}

/** Items without pagination (children, ancestors...). */
export function ItemList<T>(classRef: Type<T>, name: string): Type<{ items: T[] }> {
  class ListType {
    @ApiProperty({ type: classRef, isArray: true })
    items!: T[];
  }
  Object.defineProperty(ListType, 'name', { value: name });
  return ListType;
}
