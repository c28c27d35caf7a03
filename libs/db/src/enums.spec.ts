import {
  itemKinds,
  jobLineageKinds,
  jobLogLevels,
  jobRunStates,
  jobScheduleStates,
  jobTaskStates,
  maintenancePriorities,
  maintenanceStates,
  movementOrigins,
  nodeKinds,
  pathProtocols,
  pathStates,
  valueTypes,
} from '@sextant/domain';
import { describe, expect, it } from '@jest/globals';
import * as enums from './generated/prisma/enums';

// The portal and validation use @sextant/domain's lists; the database uses schema.prisma's.
describe('model enumerations', () => {
  it.each([
    ['NodeKind', nodeKinds],
    ['ValueType', valueTypes],
    ['PathProtocol', pathProtocols],
    ['PathState', pathStates],
    ['ItemKind', itemKinds],
    ['MovementOrigin', movementOrigins],
    ['JobRunState', jobRunStates],
    ['JobTaskState', jobTaskStates],
    ['JobLogLevel', jobLogLevels],
    ['JobScheduleState', jobScheduleStates],
    ['JobLineageKind', jobLineageKinds],
    ['MaintenanceState', maintenanceStates],
    ['MaintenancePriority', maintenancePriorities],
  ] as const)('%s lists the same values in @sextant/domain and schema.prisma', (name, values) => {
    expect(Object.values(enums[name]).sort()).toEqual([...values].sort());
  });
});
