import { ArgsType } from '@nestjs/graphql';
import { DateTimeField, IdField } from '../../../common/fields';
import { PageArgs } from '../../../common/list.args';

/** Newest first: a page of events, optionally before a time. */
@ArgsType()
export class ListPathEventsArgs extends PageArgs {
  @DateTimeField({ optional: true, description: 'Only events whose time is before this one.' })
  before?: string;
}

/** GraphQL: the path and the page in one set of arguments. */
@ArgsType()
export class PathEventsArgs extends ListPathEventsArgs {
  @IdField()
  pathId!: string;
}
