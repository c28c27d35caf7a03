import { Inject, Injectable } from '@nestjs/common';
import { API_CONFIG, ApiConfig } from '../api-config';
import { DomainError } from '@sextant/domain';
import { mayGrant, rolesOn, type Role } from '@sextant/policy';
import { AccessRepository } from '../access/access.repository';
import { AuditService } from '../audit/audit.service';
import { CredentialsService, normaliseEmail, type SignedIn } from '../auth/credentials.service';
import { Mailer } from '../auth/mailer';
import type { RequestOrigin, UserPrincipal } from '../auth/principal';
import { newSecret, secretPrefixes, sha256 } from '../auth/secrets';
import { verifyPassword } from '../auth/passwords';
import { SessionsService } from '../auth/sessions.service';
import { MembersRepository, type InvitationRow, type MemberRow } from './members.repository';
import type { InvitationLookupModel } from './members.model';

const day = 86_400_000;

/** Memberships (roles on nodes) and invitations by email. */
@Injectable()
export class MembersService {
  constructor(
    private readonly members: MembersRepository,
    private readonly access: AccessRepository,
    private readonly credentials: CredentialsService,
    private readonly sessions: SessionsService,
    private readonly mailer: Mailer,
    private readonly audit: AuditService,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  list(nodeId: string): Promise<MemberRow[]> {
    return this.members.membersUnder(nodeId);
  }

  invitations(nodeId: string): Promise<InvitationRow[]> {
    return this.members.pendingUnder(nodeId);
  }

  /** The roles the actor holds over a node (platform administrators: owner everywhere). */
  private async heldOver(actor: UserPrincipal, nodeId: string): Promise<Role[]> {
    if (actor.platformAdmin) return ['owner'];
    const lineage = (await this.access.lineages([nodeId])).get(nodeId) ?? [];
    return rolesOn(actor.grants, lineage);
  }

  private async requireGrant(actor: UserPrincipal, nodeId: string, role: Role): Promise<void> {
    if (!mayGrant(await this.heldOver(actor, nodeId), role)) {
      throw new DomainError(
        'Forbidden',
        `role: only an owner may grant or take away the role ${role}`,
        [{ field: 'role', reason: `only an owner may grant or take away ${role}` }],
      );
    }
  }

  async invite(
    actor: UserPrincipal,
    nodeId: string,
    input: { email: string; role: Role; expiresInDays?: number },
    origin: RequestOrigin,
  ): Promise<InvitationRow> {
    const portalUrl = this.config.portalUrl;
    await this.requireGrant(actor, nodeId, input.role);
    const email = normaliseEmail(input.email);
    const { secret, hash } = newSecret(secretPrefixes.invitation);
    const id = await this.members.createInvitation({
      nodeId,
      email,
      role: input.role,
      tokenHash: hash,
      invitedBy: actor.userId,
      expiresAt: new Date(Date.now() + (input.expiresInDays ?? 7) * day),
    });
    const invitation = (await this.members.invitation(id))!;
    await this.mailer.send({
      to: email,
      subject: `${actor.name} invites you to ${invitation.nodeName} on Sextant`,
      text: `Hello,\n\n${actor.name} (${actor.email}) invites you to take the role ${input.role} on ${invitation.nodeName}.\nAccept by opening this link (valid until ${invitation.expiresAt.toISOString()}):\n${portalUrl}/invitations/accept?token=${secret}\n`,
    });
    await this.audit.record(actor, origin, {
      action: 'invitation.create',
      outcome: 'success',
      nodeId,
      targetType: 'invitation',
      targetId: id,
      details: { email, role: input.role },
    });
    return invitation;
  }

  async revokeInvitation(
    actor: UserPrincipal,
    id: string,
    origin: RequestOrigin,
  ): Promise<InvitationRow> {
    const invitation = await this.members.invitation(id);
    if (!invitation) throw new DomainError('InvitationNotFound', `no invitation with id ${id}`);
    await this.members.revokeInvitation(id);
    await this.audit.record(actor, origin, {
      action: 'invitation.revoke',
      outcome: 'success',
      nodeId: invitation.nodeId,
      targetType: 'invitation',
      targetId: id,
      details: { email: invitation.email, role: invitation.role },
    });
    return { ...invitation, revokedAt: new Date() };
  }

  async changeRole(
    actor: UserPrincipal,
    id: string,
    role: Role,
    origin: RequestOrigin,
  ): Promise<MemberRow> {
    const member = await this.member(id);
    await this.requireGrant(actor, member.nodeId, member.role);
    await this.requireGrant(actor, member.nodeId, role);
    if (member.role === 'owner' && role !== 'owner') await this.keepAnOwner(member);
    await this.members.setRole(id, role);
    this.sessions.forgetCredentials();
    await this.audit.record(actor, origin, {
      action: 'member.change-role',
      outcome: 'success',
      nodeId: member.nodeId,
      subjectUserId: member.userId,
      targetType: 'membership',
      targetId: id,
      details: { email: member.email, from: member.role, to: role },
    });
    return { ...member, role };
  }

  async remove(actor: UserPrincipal, id: string, origin: RequestOrigin): Promise<MemberRow> {
    const member = await this.member(id);
    await this.requireGrant(actor, member.nodeId, member.role);
    if (member.role === 'owner') await this.keepAnOwner(member);
    await this.members.remove(id);
    this.sessions.forgetCredentials();
    await this.audit.record(actor, origin, {
      action: 'member.remove',
      outcome: 'success',
      nodeId: member.nodeId,
      subjectUserId: member.userId,
      targetType: 'membership',
      targetId: id,
      details: { email: member.email, role: member.role },
    });
    return member;
  }

  private async member(id: string): Promise<MemberRow> {
    const member = await this.members.member(id);
    if (!member) throw new DomainError('MemberNotFound', `no membership with id ${id}`);
    return member;
  }

  private async keepAnOwner(member: MemberRow): Promise<void> {
    if ((await this.members.ownersOf(member.nodeId)) <= 1) {
      throw new DomainError(
        'LastOwner',
        `${member.email} is the last owner of ${member.nodeName}: make someone else owner first`,
      );
    }
  }

  // Invitations, from the link

  async lookup(token: string): Promise<InvitationLookupModel> {
    const invitation = await this.pending(token);
    const account = await this.credentials.userByEmail(invitation.email);
    return {
      email: invitation.email,
      role: invitation.role,
      nodeName: invitation.nodeName,
      expiresAt: invitation.expiresAt,
      accountExists: account !== null,
    };
  }

  /**
   * Accepts an invitation: a new account for its address (verified: the link came to it), or
   * the existing account proven by its password; then the role, and a session.
   */
  async accept(
    input: { token: string; name?: string; password: string },
    origin: RequestOrigin,
  ): Promise<SignedIn> {
    const invitation = await this.pending(input.token);
    let user = await this.credentials.userByEmail(invitation.email);
    if (!user) {
      if (!input.name)
        throw DomainError.validation([{ field: 'name', reason: 'required for a new account' }]);
      user = await this.credentials.createAccount(
        { email: invitation.email, name: input.name, password: input.password },
        origin,
        { verified: true },
      );
      // Made a moment ago by another request: its password is not this one.
      if (!user) throw invalidInvitation();
    } else if (!(await verifyPassword(user.passwordHash, input.password))) {
      // Goes through sign-in, so that guessing here is throttled and locked out as there.
      await this.credentials.signIn({ email: invitation.email, password: input.password }, origin);
    }
    await this.credentials.markVerified(user.id);
    if (!(await this.members.accept(invitation.id, user.id))) throw invalidInvitation();
    const membershipId = await this.members.grant(
      user.id,
      invitation.nodeId,
      invitation.role,
      invitation.invitedBy,
    );
    this.sessions.forgetCredentials();
    await this.audit.record(null, origin, {
      action: 'invitation.accept',
      outcome: 'success',
      actorLabel: invitation.email,
      subjectUserId: user.id,
      nodeId: invitation.nodeId,
      targetType: 'membership',
      targetId: membershipId,
      details: { role: invitation.role },
    });
    return this.credentials.signIn({ email: invitation.email, password: input.password }, origin);
  }

  private async pending(token: string): Promise<InvitationRow> {
    const invitation = await this.members.pendingByHash(sha256(token));
    if (!invitation) throw invalidInvitation();
    return invitation;
  }
}

function invalidInvitation(): DomainError {
  return new DomainError(
    'InvalidLink',
    'token: the invitation is unknown, used, revoked or expired',
    [{ field: 'token', reason: 'unknown, used, revoked or expired' }],
  );
}
