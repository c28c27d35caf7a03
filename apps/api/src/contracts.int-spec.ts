import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { expectWithMessage } from '@sextant/testing';
import { generateContracts } from './contracts';

const root = path.resolve(__dirname, '../../..');

describe('committed API contracts', () => {
  it('schema.gql, openapi.json and the portal types generated from it equal what the code generates (npm run contracts updates them)', async () => {
    const generated = await generateContracts();
    for (const [file, content] of Object.entries(generated)) {
      expectWithMessage(
        readFileSync(path.join(root, file), 'utf8'),
        `${file} is stale: run npm run contracts`,
      ).toBe(content);
    }
  });

  it('documents every REST route in OpenAPI', async () => {
    const openapi = JSON.parse((await generateContracts())['apps/api/openapi.json']) as {
      paths: Record<string, object>;
    };
    expect(Object.keys(openapi.paths).sort()).toEqual(
      [
        '/api/audit',
        '/api/auth/can',
        '/api/auth/me',
        '/api/auth/me/password',
        '/api/auth/password-reset',
        '/api/auth/password-reset/request',
        '/api/auth/register',
        '/api/auth/resend-verification',
        '/api/auth/sign-in',
        '/api/auth/sign-out',
        '/api/auth/tokens',
        '/api/auth/tokens/{id}',
        '/api/auth/verify-email',
        '/api/alerts',
        '/api/alerts/{id}',
        '/api/alerts/{id}/state',
        '/api/cdc/sources',
        '/api/cdc/sources/{id}',
        '/api/cdc/sources/{id}/commands',
        '/api/cdc/sources/{id}/dead-letters',
        '/api/cdc/sources/{id}/dead-letters/replay',
        '/api/cdc/sources/{id}/lag',
        '/api/cdc/sources/{id}/pause',
        '/api/cdc/sources/{id}/resnapshot',
        '/api/cdc/sources/{id}/resume',
        '/api/health',
        '/api/ingest/endpoints',
        '/api/invitations/accept',
        '/api/invitations/lookup',
        '/api/invitations/{id}',
        '/api/imports/cmapss/{parentId}',
        '/api/imports/solar-generation/{parentId}',
        '/api/imports/solar-weather/{parentId}',
        '/api/imports/wind-scada/{parentId}',
        '/api/items',
        '/api/items/{id}',
        '/api/items/{id}/content',
        '/api/members/{id}',
        '/api/jobs/runs',
        '/api/jobs/runs/{id}',
        '/api/jobs/runs/{id}/cancel',
        '/api/jobs/runs/{id}/lineage',
        '/api/jobs/runs/{id}/logs',
        '/api/jobs/runs/{id}/retry',
        '/api/jobs/schedules',
        '/api/jobs/schedules/{id}',
        '/api/jobs/schedules/{id}/pause',
        '/api/jobs/schedules/{id}/resume',
        '/api/jobs/types',
        '/api/jobs/types/{name}',
        '/api/jobs/workers',
        '/api/lightcurves',
        '/api/lightcurves/candidates/{id}',
        '/api/lightcurves/stars/{id}/candidates',
        '/api/lightcurves/stars/{id}/transit-search',
        '/api/maintenance-orders',
        '/api/maintenance-orders/{id}',
        '/api/maintenance-orders/{id}/state',
        '/api/movements',
        '/api/movements/{id}',
        '/api/nodes',
        '/api/nodes/{id}',
        '/api/nodes/{id}/ancestors',
        '/api/nodes/{id}/children',
        '/api/nodes/{id}/invitations',
        '/api/nodes/{id}/members',
        '/api/nodes/{id}/movement-summary',
        '/api/nodes/{id}/subtree',
        '/api/paths',
        '/api/paths/ingest-status',
        '/api/paths/{id}',
        '/api/paths/{id}/ingest-status',
        '/api/paths/{pathId}/events',
        '/api/paths/{pathId}/tokens',
        '/api/paths/{pathId}/tokens/{tokenId}',
        '/api/remaining-life',
        '/api/remaining-life/{nodeId}',
        '/api/resources',
        '/api/resources/{id}',
        '/api/series',
        '/api/series/aggregate',
        '/api/series/last',
        '/api/series/{id}',
        '/api/series/{id}/chart',
        '/api/series/{id}/points',
      ].sort(),
    );
  });
});
