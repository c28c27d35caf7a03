export const API_CONFIG = Symbol('API_CONFIG');

export interface ApiConfig {
  databaseUrl: string;
  poolSize: number;
  /** Where the generated GraphQL schema is written (committed, sorted); null to skip. */
  schemaFile: string | null;
  corsOrigins: string[];
}
