import { ArgsType } from '@nestjs/graphql';
import { IntField, TextField } from './fields';

export const maxPageSize = 500;
/** Rows of a page when `limit` is not given. */
export const defaultPageSize = 50;

/** Cursor paging shared by every list: `limit` rows after `cursor`. */
@ArgsType()
export class PageArgs {
  @IntField({
    optional: true,
    fromQuery: true,
    min: 1,
    max: maxPageSize,
    default: defaultPageSize,
    description: `Rows per page, 1-${maxPageSize} (default ${defaultPageSize}).`,
  })
  limit?: number;

  @TextField({ optional: true, maxLength: 500, description: 'nextCursor of the previous page.' })
  cursor?: string;
}

/** Paging, sorting and a text filter: the lists of nodes, paths, resources, items, movements. */
@ArgsType()
export class ListArgs extends PageArgs {
  @TextField({
    optional: true,
    maxLength: 40,
    example: '-createdAt',
    description: 'Sort field, `-` prefix for descending.',
  })
  sort?: string;

  @TextField({
    optional: true,
    maxLength: 200,
    description: 'Text contained in name or reference.',
  })
  q?: string;
}
