import { Inject, Injectable } from '@nestjs/common';
import { API_CONFIG, type ApiConfig } from '../api-config';
import type { IngestEndpointsModel } from './ingest-endpoints.model';

/** The ingest gateway's addresses, for agents' configuration (read once at start-up). */
@Injectable()
export class IngestEndpointsService {
  constructor(@Inject(API_CONFIG) private readonly config: ApiConfig) {}

  get(): IngestEndpointsModel {
    return { ...this.config.ingest };
  }
}
