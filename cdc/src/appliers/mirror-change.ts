import type { ChangeEnvelope } from '../envelope';
import type { ChangeRow } from '../envelope/debezium-codec';
import type { ConnectSchema } from '../envelope/connect-schema';
import type { CdcPosition } from '../position';

/** One decoded change to mirror. */
export interface MirrorChange {
  envelope: ChangeEnvelope;
  key: ChangeRow | null;
  columns: ConnectSchema[] | null;
  position: CdcPosition | null;
}
