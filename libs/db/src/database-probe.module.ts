import {
  DynamicModule,
  Inject,
  Injectable,
  Logger,
  Module,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import { createPrismaClient, PrismaClient } from './prisma';

const APP_NAME = Symbol('APP_NAME');

/** Checks at start-up that the database answers, and disconnects on shutdown. */
@Injectable()
export class DatabaseProbe implements OnModuleInit, OnApplicationShutdown {
  private readonly logger: Logger;
  readonly prisma: PrismaClient;

  constructor(@Inject(APP_NAME) appName: string) {
    this.logger = new Logger(appName);
    const url = process.env.DATABASE_URL;
    if (!url)
      throw new Error(
        `missing DATABASE_URL: start ${appName} through \`npm start\`, or set DATABASE_URL`,
      );
    this.prisma = createPrismaClient(url, 2);
  }

  async onModuleInit(): Promise<void> {
    await this.prisma.$queryRawUnsafe('SELECT 1');
    this.logger.log('database reachable');
  }

  async onApplicationShutdown(signal?: string): Promise<void> {
    await this.prisma.$disconnect();
    this.logger.log(`stopped${signal ? ` on ${signal}` : ''}`);
  }
}

@Module({})
export class DatabaseProbeModule {
  static forApp(appName: string): DynamicModule {
    return {
      module: DatabaseProbeModule,
      providers: [{ provide: APP_NAME, useValue: appName }, DatabaseProbe],
      exports: [DatabaseProbe],
    };
  }
}
