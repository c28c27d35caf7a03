import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Actor, Origin } from '../auth/actor.decorator';
import { Can, inRoute, Public } from '../auth/can.decorator';
import { CredentialsService } from '../auth/credentials.service';
import { SignedInModel } from '../auth/dto/auth.inputs';
import type { RequestOrigin, UserPrincipal } from '../auth/principal';
import { SessionsService } from '../auth/sessions.service';
import { IdPipe } from '../common/id.pipe';
import {
  AcceptInvitationInput,
  ChangeRoleInput,
  InvitationLookupModel,
  InvitationModel,
  InviteInput,
  MemberModel,
} from './members.model';
import { MembersService } from './members.service';

@ApiTags('members')
@Controller()
export class MembersController {
  constructor(
    private readonly service: MembersService,
    private readonly credentials: CredentialsService,
    private readonly sessions: SessionsService,
  ) {}

  @Get('nodes/:id/members')
  @Can('member.read', inRoute('node', 'id'))
  @ApiOperation({ summary: 'Roles held on the node and on the nodes under it.' })
  @ApiOkResponse({ type: MemberModel, isArray: true })
  list(@Param('id', IdPipe) id: string) {
    return this.service.list(id);
  }

  @Patch('members/:id')
  @Can('member.manage', inRoute('membership', 'id'))
  @ApiOperation({ summary: 'Change a member’s role (owners only grant or take away owner).' })
  @ApiOkResponse({ type: MemberModel })
  changeRole(
    @Actor() actor: UserPrincipal,
    @Origin() origin: RequestOrigin,
    @Param('id', IdPipe) id: string,
    @Body() input: ChangeRoleInput,
  ) {
    return this.service.changeRole(actor, id, input.role, origin);
  }

  @Delete('members/:id')
  @Can('member.manage', inRoute('membership', 'id'))
  @ApiOperation({ summary: 'Take a role away (an organisation keeps at least one owner).' })
  @ApiOkResponse({ type: MemberModel })
  remove(
    @Actor() actor: UserPrincipal,
    @Origin() origin: RequestOrigin,
    @Param('id', IdPipe) id: string,
  ) {
    return this.service.remove(actor, id, origin);
  }

  @Get('nodes/:id/invitations')
  @Can('member.manage', inRoute('node', 'id'))
  @ApiOperation({ summary: 'Pending invitations to the node and the nodes under it.' })
  @ApiOkResponse({ type: InvitationModel, isArray: true })
  invitations(@Param('id', IdPipe) id: string) {
    return this.service.invitations(id);
  }

  @Post('nodes/:id/invitations')
  @Can('member.manage', inRoute('node', 'id'))
  @ApiOperation({
    summary: 'Invite someone by email to take a role on the node; the link expires.',
  })
  @ApiOkResponse({ type: InvitationModel })
  invite(
    @Actor() actor: UserPrincipal,
    @Origin() origin: RequestOrigin,
    @Param('id', IdPipe) id: string,
    @Body() input: InviteInput,
  ) {
    return this.service.invite(actor, id, input, origin);
  }

  @Delete('invitations/:id')
  @Can('member.manage', inRoute('invitation', 'id'))
  @ApiOperation({ summary: 'Revoke a pending invitation.' })
  @ApiOkResponse({ type: InvitationModel })
  revoke(
    @Actor() actor: UserPrincipal,
    @Origin() origin: RequestOrigin,
    @Param('id', IdPipe) id: string,
  ) {
    return this.service.revokeInvitation(actor, id, origin);
  }

  @Get('invitations/lookup')
  @Public()
  @ApiOperation({ summary: 'What an invitation link offers (for the page that accepts it).' })
  @ApiQuery({ name: 'token', type: String, required: true })
  @ApiOkResponse({ type: InvitationLookupModel })
  lookup(@Query('token') token: string | undefined) {
    return this.service.lookup(String(token ?? '').slice(0, 300));
  }

  @Post('invitations/accept')
  @HttpCode(200)
  @Public()
  @ApiOperation({
    summary:
      'Accept an invitation: a new account (name, password) or the existing one (its password); signs in.',
  })
  @ApiOkResponse({ type: SignedInModel })
  async accept(
    @Origin() origin: RequestOrigin,
    @Body() input: AcceptInvitationInput,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const signedIn = await this.service.accept(input, origin);
    this.sessions.setCookies(reply, signedIn.session);
    return { user: await this.credentials.me(signedIn.user.id, signedIn.session.csrfToken) };
  }
}
