import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Actor, Origin } from '../auth/actor.decorator';
import { Can, inArgs } from '../auth/can.decorator';
import type { RequestOrigin, UserPrincipal } from '../auth/principal';
import { IdPipe } from '../common/id.pipe';
import { ChangeRoleInput, InvitationModel, InviteInput, MemberModel } from './members.model';
import { MembersService } from './members.service';

@Resolver(() => MemberModel)
export class MembersResolver {
  constructor(private readonly service: MembersService) {}

  @Query(() => [MemberModel], { description: 'Roles held on a node and the nodes under it.' })
  @Can('member.read', inArgs('node', 'nodeId'))
  members(@Args('nodeId', { type: () => ID }, IdPipe) nodeId: string) {
    return this.service.list(nodeId);
  }

  @Query(() => [InvitationModel], { description: 'Pending invitations to a node and below.' })
  @Can('member.manage', inArgs('node', 'nodeId'))
  invitations(@Args('nodeId', { type: () => ID }, IdPipe) nodeId: string) {
    return this.service.invitations(nodeId);
  }

  @Mutation(() => InvitationModel, { description: 'Invite someone by email to a role on a node.' })
  @Can('member.manage', inArgs('node', 'nodeId'))
  inviteMember(
    @Actor() actor: UserPrincipal,
    @Origin() origin: RequestOrigin,
    @Args('nodeId', { type: () => ID }, IdPipe) nodeId: string,
    @Args('input') input: InviteInput,
  ) {
    return this.service.invite(actor, nodeId, input, origin);
  }

  @Mutation(() => InvitationModel)
  @Can('member.manage', inArgs('invitation', 'id'))
  revokeInvitation(
    @Actor() actor: UserPrincipal,
    @Origin() origin: RequestOrigin,
    @Args('id', { type: () => ID }, IdPipe) id: string,
  ) {
    return this.service.revokeInvitation(actor, id, origin);
  }

  @Mutation(() => MemberModel)
  @Can('member.manage', inArgs('membership', 'id'))
  changeMemberRole(
    @Actor() actor: UserPrincipal,
    @Origin() origin: RequestOrigin,
    @Args('id', { type: () => ID }, IdPipe) id: string,
    @Args('input') input: ChangeRoleInput,
  ) {
    return this.service.changeRole(actor, id, input.role, origin);
  }

  @Mutation(() => MemberModel)
  @Can('member.manage', inArgs('membership', 'id'))
  removeMember(
    @Actor() actor: UserPrincipal,
    @Origin() origin: RequestOrigin,
    @Args('id', { type: () => ID }, IdPipe) id: string,
  ) {
    return this.service.remove(actor, id, origin);
  }
}
