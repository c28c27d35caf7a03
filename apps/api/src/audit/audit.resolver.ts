import { Args, Query, Resolver } from '@nestjs/graphql';
import { Actor } from '../auth/actor.decorator';
import { Can } from '../auth/can.decorator';
import type { Principal } from '../auth/principal';
import { AuditEventConnection, AuditEventModel, ListAuditArgs } from './audit.model';
import { AuditService } from './audit.service';

@Resolver(() => AuditEventModel)
export class AuditResolver {
  constructor(private readonly service: AuditService) {}

  @Query(() => AuditEventConnection, { description: 'The audit log, newest first, with filters.' })
  @Can('audit.read', 'scoped')
  auditEvents(@Actor() actor: Principal, @Args() args: ListAuditArgs) {
    return this.service.list(actor, args);
  }
}
