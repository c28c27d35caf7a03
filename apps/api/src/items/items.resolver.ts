import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { IdPipe } from '../common/id.pipe';
import { CreateItemInput, ListItemsArgs, UpdateItemInput } from './dto/item.inputs';
import { ItemConnection, ItemModel } from './item.model';
import { ItemsService } from './items.service';

@Resolver(() => ItemModel)
export class ItemsResolver {
  constructor(private readonly service: ItemsService) {}

  @Query(() => ItemConnection, { description: 'Items, a page at a time.' })
  items(@Args() args: ListItemsArgs) {
    return this.service.list(args);
  }

  @Query(() => ItemModel, { description: 'One item by id.' })
  item(@Args('id', { type: () => ID }, IdPipe) id: string) {
    return this.service.get(id);
  }

  @Mutation(() => ItemModel)
  createItem(@Args('input') input: CreateItemInput) {
    return this.service.create(input);
  }

  @Mutation(() => ItemModel)
  updateItem(
    @Args('id', { type: () => ID }, IdPipe) id: string,
    @Args('input') input: UpdateItemInput,
  ) {
    return this.service.update(id, input);
  }

  @Mutation(() => ID, { description: 'Deletes a item; returns its id.' })
  async deleteItem(@Args('id', { type: () => ID }, IdPipe) id: string) {
    await this.service.remove(id);
    return id;
  }
}
