import { Logger } from '@nestjs/common';
import { createTransport, type Transporter } from 'nodemailer';

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

/**
 * Sends account emails through SMTP when SMTP_URL is set; otherwise writes each one to the log
 * (development: the link in it can be followed from there).
 */
export class Mailer {
  private readonly logger = new Logger('Mail');
  private readonly transport: Transporter | null;

  constructor(
    smtpUrl: string | null,
    private readonly from: string,
  ) {
    this.transport = smtpUrl ? createTransport(smtpUrl) : null;
  }

  get logsMail(): boolean {
    return this.transport === null;
  }

  async send(mail: Mail): Promise<void> {
    if (!this.transport) {
      this.logger.log(
        `no SMTP_URL: email to ${mail.to} written here instead\n--- ${mail.subject} ---\n${mail.text}\n---`,
      );
      return;
    }
    try {
      await this.transport.sendMail({ from: this.from, ...mail });
    } catch (error) {
      // The account flow goes on: the person can ask for the email again.
      this.logger.error(`email to ${mail.to} not sent: ${(error as Error).message}`);
    }
  }
}
