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
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { IdPipe } from '../common/id.pipe';
import { AccessService } from '../access/access.service';
import { Actor, Origin } from './actor.decorator';
import { ApiTokensService } from './api-tokens.service';
import { Can, Public } from './can.decorator';
import { clearedCookies } from './cookies';
import { CredentialsService, normaliseEmail } from './credentials.service';
import {
  ApiTokenModel,
  CanModel,
  CanQuery,
  ChangePasswordInput,
  CreateApiTokenInput,
  CreatedApiTokenModel,
  EmailInput,
  MeModel,
  RegisteredModel,
  RegisterInput,
  ResetPasswordInput,
  SignedInModel,
  SignInInput,
  TokenInput,
  UpdateMeInput,
} from './dto/auth.inputs';
import type { Principal, RequestOrigin, UserPrincipal } from './principal';
import { SessionsService } from './sessions.service';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly credentials: CredentialsService,
    private readonly sessions: SessionsService,
    private readonly apiTokens: ApiTokensService,
    private readonly access: AccessService,
  ) {}

  @Get('can')
  @Can('account.manage', 'self')
  @ApiOperation({
    summary:
      'Whether you may do an action on a row (what the portal shows); false for rows you cannot see.',
  })
  @ApiOkResponse({ type: CanModel })
  async can(@Actor() actor: UserPrincipal, @Query() query: CanQuery): Promise<CanModel> {
    try {
      await this.access.requireRow(actor, query.action, query.kind, query.id);
      return { allowed: true };
    } catch {
      return { allowed: false };
    }
  }

  @Post('register')
  @HttpCode(202)
  @Public()
  @ApiOperation({
    summary:
      'Create an account (and optionally an organisation you own); a link confirms the email. Answers the same for an address that has an account (its owner is told by email).',
  })
  @ApiAcceptedResponse({ type: RegisteredModel })
  async register(
    @Origin() origin: RequestOrigin,
    @Body() input: RegisterInput,
  ): Promise<RegisteredModel> {
    await this.credentials.register(input, origin);
    return { email: normaliseEmail(input.email) };
  }

  @Post('verify-email')
  @HttpCode(200)
  @Public()
  @ApiOperation({ summary: 'Confirm an email address with the token of the link sent to it.' })
  async verifyEmail(@Origin() origin: RequestOrigin, @Body() input: TokenInput) {
    await this.credentials.verifyEmail(input.token, origin);
    return { verified: true };
  }

  @Post('resend-verification')
  @HttpCode(202)
  @Public()
  @ApiOperation({ summary: 'Send the confirmation link again (answers the same for any address).' })
  async resend(@Origin() origin: RequestOrigin, @Body() input: EmailInput) {
    await this.credentials.resendVerification(input.email, origin);
    return { sent: true };
  }

  @Post('sign-in')
  @HttpCode(200)
  @Public()
  @ApiOperation({
    summary:
      'Sign in: sets the httpOnly session cookie and the CSRF cookie (send it back as x-csrf-token). Repeated failures lock the account for a while (429).',
  })
  @ApiOkResponse({ type: SignedInModel })
  async signIn(
    @Origin() origin: RequestOrigin,
    @Body() input: SignInInput,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const signedIn = await this.credentials.signIn(input, origin);
    this.sessions.setCookies(reply, signedIn.session);
    return { user: await this.credentials.me(signedIn.user.id, signedIn.session.csrfToken) };
  }

  @Post('sign-out')
  @HttpCode(204)
  @Public()
  @ApiOperation({ summary: 'End the session of this browser and clear its cookies.' })
  async signOut(
    @Actor() actor: Principal,
    @Origin() origin: RequestOrigin,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    await this.sessions.signOut(actor, origin);
    reply.header('set-cookie', clearedCookies(this.sessions.secureCookies(reply.request)));
  }

  @Post('password-reset/request')
  @HttpCode(202)
  @Public()
  @ApiOperation({ summary: 'Email a password reset link (answers the same for any address).' })
  async requestReset(@Origin() origin: RequestOrigin, @Body() input: EmailInput) {
    await this.credentials.requestPasswordReset(input.email, origin);
    return { sent: true };
  }

  @Post('password-reset')
  @HttpCode(204)
  @Public()
  @ApiOperation({
    summary:
      'Set a new password with the token of the link; ends every session, and revokes your API tokens unless revokeApiTokens is false.',
  })
  async reset(@Origin() origin: RequestOrigin, @Body() input: ResetPasswordInput): Promise<void> {
    await this.credentials.resetPassword(
      input.token,
      input.password,
      origin,
      input.revokeApiTokens ?? true,
    );
  }

  @Get('me')
  @Can('account.manage', 'self')
  @ApiOperation({
    summary: 'The signed-in user, the roles they hold, and (sessions) the CSRF token.',
  })
  @ApiOkResponse({ type: MeModel })
  me(@Actor() actor: UserPrincipal) {
    return this.credentials.me(actor.userId, actor.csrfToken);
  }

  @Patch('me')
  @Can('account.manage', 'self')
  @ApiOperation({ summary: 'Change your name.' })
  @ApiOkResponse({ type: MeModel })
  async rename(@Actor() actor: UserPrincipal, @Body() input: UpdateMeInput) {
    await this.credentials.rename(actor, input.name);
    return this.credentials.me(actor.userId, actor.csrfToken);
  }

  @Post('me/password')
  @HttpCode(204)
  @Can('account.manage', 'self')
  @ApiOperation({
    summary:
      'Change your password (the current one is asked): ends your other sessions, and revokes your API tokens (but the one making the change) unless revokeApiTokens is false.',
  })
  async changePassword(
    @Actor() actor: UserPrincipal,
    @Origin() origin: RequestOrigin,
    @Body() input: ChangePasswordInput,
  ): Promise<void> {
    await this.credentials.changePassword(
      actor,
      input.currentPassword,
      input.newPassword,
      origin,
      input.revokeApiTokens ?? true,
    );
  }

  @Get('tokens')
  @Can('account.manage', 'self')
  @ApiOperation({ summary: 'Your personal API tokens (without their secrets).' })
  @ApiOkResponse({ type: ApiTokenModel, isArray: true })
  tokens(@Actor() actor: UserPrincipal) {
    return this.apiTokens.list(actor);
  }

  @Post('tokens')
  @Can('account.manage', 'self')
  @ApiOperation({
    summary:
      'A personal API token for scripts (Authorization: Bearer …); its secret is shown this once.',
  })
  @ApiOkResponse({ type: CreatedApiTokenModel })
  createToken(
    @Actor() actor: UserPrincipal,
    @Origin() origin: RequestOrigin,
    @Body() input: CreateApiTokenInput,
  ) {
    return this.apiTokens.create(actor, input, origin);
  }

  @Delete('tokens/:id')
  @Can('account.manage', 'self')
  @ApiOperation({ summary: 'Revoke one of your API tokens: refused from now on.' })
  @ApiOkResponse({ type: ApiTokenModel })
  revokeToken(
    @Actor() actor: UserPrincipal,
    @Origin() origin: RequestOrigin,
    @Param('id', IdPipe) id: string,
  ) {
    return this.apiTokens.revoke(actor, id, origin);
  }
}
