import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module';
import { AuthModule } from '../auth/auth.module';
import { MembersController } from './members.controller';
import { MembersRepository } from './members.repository';
import { MembersResolver } from './members.resolver';
import { MembersService } from './members.service';

/** Memberships (roles on nodes) and invitations; accounts and sessions come from AuthModule. */
@Module({
  imports: [AccessModule, AuthModule],
  controllers: [MembersController],
  providers: [MembersRepository, MembersService, MembersResolver],
})
export class MembersModule {}
