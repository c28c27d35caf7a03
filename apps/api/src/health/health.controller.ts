import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/can.decorator';
import { HealthService } from './health.service';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get()
  @Public()
  @ApiOperation({ summary: 'Liveness and database state; 503 when the database is down.' })
  async check(@Res({ passthrough: true }) reply: FastifyReply) {
    const report = await this.health.check();
    if (report.status !== 'ok') reply.status(503);
    return report;
  }
}
