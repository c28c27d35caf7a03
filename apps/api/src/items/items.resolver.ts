import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Actor } from '../auth/actor.decorator';
import { Can, inArgs, inInput } from '../auth/can.decorator';
import type { Principal } from '../auth/principal';
import { IdPipe } from '../common/id.pipe';
import { CreateItemInput, ListItemsArgs, UpdateItemInput } from './dto/item.inputs';
import { ItemConnection, ItemModel } from './item.model';
import { ItemsService } from './items.service';

@Resolver(() => ItemModel)
export class ItemsResolver {
  constructor(private readonly service: ItemsService) {}

  @Query(() => ItemConnection, { description: 'Items, a page at a time.' })
  @Can('item.read', 'scoped')
  items(@Actor() actor: Principal, @Args() args: ListItemsArgs) {
    return this.service.list(actor, args);
  }

  @Query(() => ItemModel, { description: 'One item by id.' })
  @Can('item.read', inArgs('item', 'id'))
  item(@Args('id', { type: () => ID }, IdPipe) id: string) {
    return this.service.get(id);
  }

  @Mutation(() => ItemModel)
  @Can('item.manage', inInput('node', 'ownerId'))
  createItem(@Args('input') input: CreateItemInput) {
    return this.service.create(input);
  }

  @Mutation(() => ItemModel)
  @Can(
    'item.manage',
    inArgs('item', 'id'),
    inInput('node', 'ownerId', { optional: true, action: 'item.manage' }),
  )
  updateItem(
    @Args('id', { type: () => ID }, IdPipe) id: string,
    @Args('input') input: UpdateItemInput,
  ) {
    return this.service.update(id, input);
  }

  @Mutation(() => ID, { description: 'Deletes a item; returns its id.' })
  @Can('item.manage', inArgs('item', 'id'))
  async deleteItem(@Args('id', { type: () => ID }, IdPipe) id: string) {
    await this.service.remove(id);
    return id;
  }
}
