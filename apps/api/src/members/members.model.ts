import { Field, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { roles, type Role } from '@sextant/policy';
import { Type } from 'class-transformer';
import { IsEmail, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { NameField } from '../common/fields';

const roleRule = { message: `must be one of ${roles.join(', ')}` };

@ObjectType('Member', { description: 'A person holding a role on a node (and its subtree).' })
export class MemberModel {
  @Field(() => ID, { description: 'The membership.' })
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  userId!: string;

  @Field()
  @ApiProperty()
  email!: string;

  @Field()
  @ApiProperty()
  name!: string;

  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  nodeId!: string;

  @Field()
  @ApiProperty()
  nodeName!: string;

  @Field()
  @ApiProperty()
  nodeReference!: string;

  @Field()
  @ApiProperty({ enum: roles })
  role!: string;

  @Field()
  @ApiProperty()
  createdAt!: Date;
}

@ObjectType('Invitation', { description: 'An invitation by email to take a role on a node.' })
export class InvitationModel {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  nodeId!: string;

  @Field()
  @ApiProperty()
  nodeName!: string;

  @Field()
  @ApiProperty()
  email!: string;

  @Field()
  @ApiProperty({ enum: roles })
  role!: string;

  @Field()
  @ApiProperty()
  createdAt!: Date;

  @Field()
  @ApiProperty()
  expiresAt!: Date;
}

export class InvitationLookupModel {
  @ApiProperty()
  email!: string;

  @ApiProperty({ enum: roles })
  role!: string;

  @ApiProperty()
  nodeName!: string;

  @ApiProperty()
  expiresAt!: Date;

  @ApiProperty({ description: 'Whether the address has an account already (then: its password).' })
  accountExists!: boolean;
}

@InputType({ description: 'Invite someone by email to take a role on a node.' })
export class InviteInput {
  @Field()
  @ApiProperty({ format: 'email' })
  @IsEmail({}, { message: 'must be an email address' })
  @MaxLength(254)
  email!: string;

  @Field(() => String, { description: `One of ${roles.join(', ')}.` })
  @ApiProperty({ enum: roles })
  @IsIn(roles, roleRule)
  role!: Role;

  @Field(() => Int, { nullable: true, description: 'Days the link is valid, 1-30 (default 7).' })
  @ApiPropertyOptional({ minimum: 1, maximum: 30, default: 7 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(30)
  expiresInDays?: number;
}

@InputType({ description: 'A new role for a membership.' })
export class ChangeRoleInput {
  @Field(() => String, { description: `One of ${roles.join(', ')}.` })
  @ApiProperty({ enum: roles })
  @IsIn(roles, roleRule)
  role!: Role;
}

export class AcceptInvitationInput {
  @ApiProperty()
  @IsString()
  @MaxLength(300)
  token!: string;

  @NameField({ optional: true, description: 'For a new account: your name.' })
  name?: string;

  @ApiProperty({ description: 'A new password (new account) or the account’s password.' })
  @IsString()
  @MaxLength(200)
  password!: string;
}
