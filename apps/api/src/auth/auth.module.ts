import { Global, Module, OnApplicationBootstrap } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuditController } from '../audit/audit.controller';
import { AuditRepository } from '../audit/audit.repository';
import { AuditResolver } from '../audit/audit.resolver';
import { AuditService } from '../audit/audit.service';
import { MembersController } from '../members/members.controller';
import { MembersRepository } from '../members/members.repository';
import { MembersResolver } from '../members/members.resolver';
import { MembersService } from '../members/members.service';
import { AccessRepository } from './access.repository';
import { AccessService } from './access.service';
import { AuthController } from './auth.controller';
import { AuthRepository } from './auth.repository';
import { AuthResolver } from './auth.resolver';
import { AuthService } from './auth.service';
import { PolicyGuard } from './policy.guard';

/** Accounts, the policy guard on every route and field, memberships and the audit log. */
@Global()
@Module({
  controllers: [AuthController, MembersController, AuditController],
  providers: [
    AuthRepository,
    AuthService,
    AuthResolver,
    AccessRepository,
    AccessService,
    AuditRepository,
    AuditService,
    AuditResolver,
    MembersRepository,
    MembersService,
    MembersResolver,
    { provide: APP_GUARD, useClass: PolicyGuard },
  ],
  exports: [AuthService, AccessService, AuditService],
})
export class AuthModule implements OnApplicationBootstrap {
  constructor(private readonly auth: AuthService) {}

  onApplicationBootstrap(): void {
    this.auth.describeMail();
  }
}
