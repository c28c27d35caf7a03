import { Field, ID, InputType, ObjectType } from '@nestjs/graphql';
import { ApiProperty } from '@nestjs/swagger';
import { NameField } from '../../common/fields';

@ObjectType('PathToken', {
  description: 'A credential of a path (the secret itself is never shown again).',
})
export class PathTokenModel {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  pathId!: string;

  @Field()
  @ApiProperty()
  name!: string;

  @Field({ description: 'The first characters of the token, to recognise it.' })
  @ApiProperty({ description: 'The first characters of the token, to recognise it.' })
  prefix!: string;

  @Field()
  @ApiProperty()
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  @ApiProperty({ type: Date, nullable: true })
  revokedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  @ApiProperty({ type: Date, nullable: true })
  lastUsedAt!: Date | null;
}

@ObjectType('CreatedPathToken', { description: 'A new token, with its secret: shown this once.' })
export class CreatedPathTokenModel extends PathTokenModel {
  @Field({ description: 'The secret: give it to the writer now; only its hash is kept.' })
  @ApiProperty({ description: 'The secret: give it to the writer now; only its hash is kept.' })
  token!: string;
}

@InputType({ description: 'A new token of a path.' })
export class CreatePathTokenInput {
  @NameField({ description: 'What or who the token is for, e.g. "telegraf on T07".' })
  name!: string;
}
