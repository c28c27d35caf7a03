import { DynamicModule, Module } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import { MercuriusDriver, MercuriusDriverConfig } from '@nestjs/mercurius';
import { API_CONFIG, ApiConfig } from './api-config';
import { AccessModule } from './access/access.module';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { graphqlLimits } from './common/graphql-limits';
import { BillingModule } from './billing/billing.module';
import { CdcModule } from './cdc/cdc.module';
import { formatGraphqlError, graphqlStatus } from './common/graphql-errors';
import { HealthModule } from './health/health.module';
import { IngestModule } from './ingest/ingest.module';
import { ItemsModule } from './items/items.module';
import { JobsModule } from './jobs/jobs.module';
import { ImportsModule } from './imports/imports.module';
import { LightCurvesModule } from './lightcurves/lightcurves.module';
import { MaintenanceModule } from './maintenance/maintenance.module';
import { MembersModule } from './members/members.module';
import { MovementsModule } from './movements/movements.module';
import { NodesModule } from './nodes/nodes.module';
import { PathsModule } from './paths/paths.module';
import { PrismaModule } from './prisma/prisma.module';
import { ResourcesModule } from './resources/resources.module';
import { SeriesModule } from './series/series.module';

@Module({})
export class AppModule {
  static forRoot(config: ApiConfig): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        GraphQLModule.forRoot<MercuriusDriverConfig>({
          driver: MercuriusDriver,
          path: '/graphql',
          // GraphiQL loads its scripts from a CDN without integrity checks: development only.
          graphiql: config.graphiql,
          autoSchemaFile: config.schemaFile ?? true,
          sortSchema: true,
          // Errors before execution go through the API's own Fastify error handler instead.
          errorHandler: false,
          // Guards (the policy) run on field resolvers too, not only on queries and mutations.
          fieldResolverEnhancers: ['guards'],
          context: (req: unknown) => ({ req }),
          // Depth as a validation rule; cost in a preExecution hook, with the variables.
          ...graphqlLimits(config.graphql),
          errorFormatter: (execution) => {
            const errors = (execution.errors ?? []).map(formatGraphqlError);
            return {
              statusCode: graphqlStatus(errors),
              response: { data: execution.data ?? null, errors },
            };
          },
        }),
        PrismaModule,
        AccessModule,
        // Auth, members, audit: in this order the routes (and the OpenAPI paths) stay in theirs.
        AuthModule,
        MembersModule,
        AuditModule,
        HealthModule,
        NodesModule,
        ResourcesModule,
        PathsModule,
        ItemsModule,
        MovementsModule,
        SeriesModule,
        IngestModule,
        CdcModule,
        JobsModule,
        LightCurvesModule,
        ImportsModule,
        MaintenanceModule,
        BillingModule,
      ],
      providers: [{ provide: API_CONFIG, useValue: config }],
      exports: [API_CONFIG],
    };
  }
}
