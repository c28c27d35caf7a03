import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor } from '../auth/actor.decorator';
import { Can } from '../auth/can.decorator';
import type { Principal } from '../auth/principal';
import { AuditEventConnection, ListAuditArgs } from './audit.model';
import { AuditService } from './audit.service';

@ApiTags('audit')
@Controller('audit')
export class AuditController {
  constructor(private readonly service: AuditService) {}

  @Get()
  @Can('audit.read', 'scoped')
  @ApiOperation({
    summary:
      'The audit log, newest first: events of the subtrees you administer (and your own), with filters.',
  })
  @ApiOkResponse({ type: AuditEventConnection })
  list(@Actor() actor: Principal, @Query() args: ListAuditArgs) {
    return this.service.list(actor, args);
  }
}
