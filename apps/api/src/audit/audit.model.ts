import { ArgsType, Field, ID, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches } from 'class-validator';
import { GraphQLJSONObject } from 'graphql-scalars';
import { DateTimeField, IdField } from '../common/fields';
import { Connection } from '../common/graphql-types';
import { PageArgs } from '../common/list.args';

@ObjectType('AuditEvent', { description: 'What was done, by whom, when and from where.' })
export class AuditEventModel {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @Field()
  @ApiProperty()
  at!: Date;

  @Field({ description: 'e.g. auth.sign-in, api-token.create, member.grant, path.update.' })
  @ApiProperty()
  action!: string;

  @Field({ description: 'success or failure.' })
  @ApiProperty({ enum: ['success', 'failure'] })
  outcome!: string;

  @Field(() => ID, { nullable: true })
  @ApiProperty({ type: String, nullable: true, format: 'uuid' })
  actorUserId!: string | null;

  @Field({ description: 'The actor as shown: an email address, or anonymous.' })
  @ApiProperty()
  actorLabel!: string;

  @Field(() => ID, { nullable: true, description: 'The account the event is about.' })
  @ApiProperty({ type: String, nullable: true, format: 'uuid' })
  subjectUserId!: string | null;

  @Field(() => ID, { nullable: true })
  @ApiProperty({ type: String, nullable: true, format: 'uuid' })
  nodeId!: string | null;

  @Field(() => String, { nullable: true })
  @ApiProperty({ type: String, nullable: true })
  targetType!: string | null;

  @Field(() => String, { nullable: true })
  @ApiProperty({ type: String, nullable: true })
  targetId!: string | null;

  @Field(() => String, { nullable: true, description: 'The client address.' })
  @ApiProperty({ type: String, nullable: true })
  sourceIp!: string | null;

  @Field(() => String, { nullable: true })
  @ApiProperty({ type: String, nullable: true })
  userAgent!: string | null;

  @Field(() => GraphQLJSONObject)
  @ApiProperty({ type: 'object', additionalProperties: true })
  details!: Record<string, unknown>;
}

export const AuditEventConnection = Connection(AuditEventModel, 'AuditEventConnection');

@ArgsType()
export class ListAuditArgs extends PageArgs {
  @IdField({ optional: true, description: 'Events about this node and the nodes under it.' })
  nodeId?: string;

  @Field(() => String, { nullable: true, description: 'Actions starting with this, e.g. auth.' })
  @ApiPropertyOptional({ example: 'auth.sign-in' })
  @IsOptional()
  @IsString()
  @Matches(/^[a-z.-]{1,60}$/, { message: 'must be an action or its beginning, e.g. auth.sign-in' })
  action?: string;

  @IdField({ optional: true, description: 'Events done by this user.' })
  actorId?: string;

  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ enum: ['success', 'failure'] })
  @IsOptional()
  @IsIn(['success', 'failure'], { message: 'must be success or failure' })
  outcome?: string;

  @DateTimeField({ optional: true, description: 'Events at or after this time.' })
  from?: string;

  @DateTimeField({ optional: true, description: 'Events before this time.' })
  to?: string;
}
