import { Field, InputType, Int, ObjectType, ID } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  MinLength,
  IsUUID,
} from 'class-validator';
import { actions, roles, type Action } from '@sextant/policy';
import { NameField } from '../../common/fields';

const emailRule = { message: 'must be an email address' };

export class RegisterInput {
  @ApiProperty({ format: 'email', maxLength: 254 })
  @IsEmail({}, emailRule)
  @MaxLength(254)
  email!: string;

  @NameField()
  name!: string;

  @ApiProperty({ minLength: 10, maxLength: 200, description: '10 to 200 characters.' })
  @IsString()
  @MaxLength(200)
  password!: string;

  @ApiPropertyOptional({
    maxLength: 200,
    description: 'Create this organisation with you as its owner (on a platform that allows it).',
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  organisation?: string;
}

export class SignInInput {
  @ApiProperty({ format: 'email' })
  @IsString()
  @MaxLength(254)
  email!: string;

  @ApiProperty()
  @IsString()
  @MaxLength(200)
  password!: string;
}

export class EmailInput {
  @ApiProperty({ format: 'email' })
  @IsEmail({}, emailRule)
  @MaxLength(254)
  email!: string;
}

export class TokenInput {
  @ApiProperty({ description: 'The token of the link.' })
  @IsString()
  @MaxLength(300)
  token!: string;
}

const revokeApiTokensDoc = {
  default: true,
  description:
    'Also revoke your personal API tokens (whoever knew the old password may have made one).',
};

export class ResetPasswordInput extends TokenInput {
  @ApiProperty({ minLength: 10, maxLength: 200 })
  @IsString()
  @MaxLength(200)
  password!: string;

  @ApiPropertyOptional(revokeApiTokensDoc)
  @IsOptional()
  @IsBoolean({ message: 'must be true or false' })
  revokeApiTokens?: boolean;
}

export class ChangePasswordInput {
  @ApiProperty()
  @IsString()
  @MaxLength(200)
  currentPassword!: string;

  @ApiProperty({ minLength: 10, maxLength: 200 })
  @IsString()
  @MaxLength(200)
  newPassword!: string;

  @ApiPropertyOptional(revokeApiTokensDoc)
  @IsOptional()
  @IsBoolean({ message: 'must be true or false' })
  revokeApiTokens?: boolean;
}

export class UpdateMeInput {
  @NameField()
  name!: string;
}

@InputType({ description: 'A new personal API token.' })
export class CreateApiTokenInput {
  @NameField({ description: 'What the token is for, e.g. "nightly export script".' })
  name!: string;

  @Field(() => Int, { nullable: true, description: 'Days until it expires, 1-366 (default 90).' })
  @ApiPropertyOptional({ minimum: 1, maximum: 366, default: 90 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(366)
  expiresInDays?: number;
}

@ObjectType('ApiToken', { description: 'A personal API token (its secret is never shown again).' })
export class ApiTokenModel {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @Field()
  @ApiProperty()
  name!: string;

  @Field({ description: 'The first characters of the token, to recognise it.' })
  @ApiProperty()
  prefix!: string;

  @Field()
  @ApiProperty()
  createdAt!: Date;

  @Field()
  @ApiProperty()
  expiresAt!: Date;

  @Field(() => Date, { nullable: true })
  @ApiPropertyOptional({ type: Date, nullable: true })
  lastUsedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  @ApiPropertyOptional({ type: Date, nullable: true })
  revokedAt!: Date | null;
}

@ObjectType('CreatedApiToken', {
  description: 'A new API token, with its secret: shown this once.',
})
export class CreatedApiTokenModel extends ApiTokenModel {
  @Field({ description: 'Send it as Authorization: Bearer <token>; only its hash is kept.' })
  @ApiProperty({ description: 'Send it as Authorization: Bearer <token>; only its hash is kept.' })
  token!: string;
}

@ObjectType('Membership', { description: 'A role held on a node (and its subtree).' })
export class MembershipViewModel {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  nodeId!: string;

  @Field()
  @ApiProperty({ enum: roles })
  role!: string;

  @Field()
  @ApiProperty()
  nodeName!: string;

  @Field()
  @ApiProperty()
  nodeReference!: string;

  @Field()
  @ApiProperty()
  nodeKind!: string;
}

@ObjectType('Me', { description: 'The signed-in user.' })
export class MeModel {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @Field()
  @ApiProperty()
  email!: string;

  @Field()
  @ApiProperty()
  name!: string;

  @Field()
  @ApiProperty({ description: 'Operates the platform: catalogue, organisations, everything.' })
  platformAdmin!: boolean;

  @Field()
  @ApiProperty()
  emailVerified!: boolean;

  @Field(() => [MembershipViewModel])
  @ApiProperty({ type: MembershipViewModel, isArray: true })
  memberships!: MembershipViewModel[];

  @Field(() => String, { nullable: true, description: 'Cookie sessions: send as x-csrf-token.' })
  @ApiPropertyOptional({ type: String, nullable: true })
  csrfToken!: string | null;
}

export class RegisteredModel {
  @ApiProperty({
    description:
      'The address, as kept. The answer is the same whether or not it already had an account: a new account gets its confirmation link, an existing one an email saying someone tried.',
  })
  email!: string;
}

export class SignedInModel {
  @ApiProperty({ type: MeModel })
  user!: MeModel;
}

/** The rows the portal asks about (each a target kind of the policy guard). */
const rowKinds = [
  'node',
  'path',
  'item',
  'movement',
  'cdc',
  'membership',
  'invitation',
  'job',
  'schedule',
  'alert',
  'order',
];

export class CanQuery {
  @ApiProperty({ enum: actions })
  @IsIn(actions, { message: 'must be an action of the policy, e.g. path.manage' })
  action!: Action;

  @ApiProperty({ enum: rowKinds })
  @IsIn(rowKinds, { message: `must be one of ${rowKinds.join(', ')}` })
  kind!: string;

  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'must be a UUID' })
  id!: string;
}

export class CanModel {
  @ApiProperty()
  allowed!: boolean;
}
