import { Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AccessModule } from '../access/access.module';
import { API_CONFIG, ApiConfig } from '../api-config';
import { ApiTokensService } from './api-tokens.service';
import { AuthController } from './auth.controller';
import { AuthRepository } from './auth.repository';
import { AuthResolver } from './auth.resolver';
import { CredentialsService } from './credentials.service';
import { Mailer } from './mailer';
import { PolicyGuard } from './policy.guard';
import { SessionsService } from './sessions.service';

/**
 * Accounts (credentials), sessions and personal API tokens, and the policy guard on every
 * route and field. It records to the audit log (AuditModule, global) and asks AccessModule.
 */
@Module({
  imports: [AccessModule],
  controllers: [AuthController],
  providers: [
    AuthRepository,
    CredentialsService,
    SessionsService,
    ApiTokensService,
    AuthResolver,
    {
      provide: Mailer,
      inject: [API_CONFIG],
      useFactory: (config: ApiConfig) => {
        const { mail } = config;
        return new Mailer(mail.smtpUrl, mail.from);
      },
    },
    { provide: APP_GUARD, useClass: PolicyGuard },
  ],
  exports: [CredentialsService, SessionsService, Mailer],
})
export class AuthModule implements OnApplicationBootstrap {
  constructor(private readonly mailer: Mailer) {}

  /** Logged at start: where account emails go. */
  onApplicationBootstrap(): void {
    if (this.mailer.logsMail)
      new Logger('Auth').warn(
        'SMTP_URL is not set: account emails (verification, reset, invitations) are written to this log',
      );
  }
}
