'use client';

import { DetailPage } from '@/components/entity-pages';
import { NodeLink } from '@/components/lookups';
import { PathIngest } from '@/components/path-ingest';
import type { Path } from '@/lib/api';
import { pathFields } from '@/lib/forms';

export default function PathPage() {
  return (
    <DetailPage<Path>
      manage={{ action: 'path.manage', kind: 'path' }}
      kind="path"
      endpoint="/api/paths"
      listHref="/paths"
      fields={pathFields}
      details={(p) => [
        ['Source', <NodeLink key="s" id={p.sourceId} />],
        ['Destination', <NodeLink key="d" id={p.destinationId} />],
        ['Protocol', p.protocol],
        ['State', p.state],
        ['Mapping', <pre key="m">{JSON.stringify(p.mapping, null, 2)}</pre>],
        ['Settings', <pre key="t">{JSON.stringify(p.settings, null, 2)}</pre>],
      ]}
    >
      {(p) => <PathIngest path={p} />}
    </DetailPage>
  );
}
