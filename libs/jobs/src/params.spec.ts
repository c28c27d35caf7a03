import { describe, expect, it } from '@jest/globals';
import { describeParams, itemParams, params, validateParams } from './params';

const shape = params({
  nodeId: { type: 'node', title: 'Node', required: true, kinds: ['site'] },
  days: { type: 'integer', title: 'Days', default: 7, minimum: 1, maximum: 366 },
  factor: { type: 'number', title: 'Factor', minimum: 0.5 },
  from: { type: 'datetime', title: 'From' },
  mode: { type: 'enum', title: 'Mode', values: ['fast', 'exact'], default: 'fast' },
  alerts: { type: 'boolean', title: 'Alerts', default: true },
  label: { type: 'string', title: 'Label', maxLength: 5 },
  modelId: { type: 'item', title: 'Model', kinds: ['model'] },
});

const node = '0194f0c2-0000-7000-8000-000000000001';

describe(validateParams.name, () => {
  it('fills defaults and normalises values', () => {
    expect(
      validateParams(shape, { nodeId: node.toUpperCase(), from: '2026-11-21T01:00:00+01:00' }),
    ).toEqual({
      value: {
        nodeId: node,
        days: 7,
        from: '2026-11-21T00:00:00.000Z',
        mode: 'fast',
        alerts: true,
      },
      errors: [],
    });
  });

  it.each([
    [{}, 'params.nodeId', 'is required'],
    [{ nodeId: 'T07' }, 'params.nodeId', 'must be the id (UUID) of a node'],
    [{ nodeId: node, days: 0 }, 'params.days', 'must be at least 1'],
    [{ nodeId: node, days: 2.5 }, 'params.days', 'must be a whole number'],
    [{ nodeId: node, days: '7' }, 'params.days', 'must be a number'],
    [{ nodeId: node, factor: 0.1 }, 'params.factor', 'must be at least 0.5'],
    [
      { nodeId: node, from: '2026-11-21' },
      'params.from',
      'must be an ISO 8601 date-time with a zone, e.g. 2026-11-21T00:00:00Z',
    ],
    [{ nodeId: node, mode: 'slow' }, 'params.mode', 'must be one of fast, exact'],
    [{ nodeId: node, alerts: 'yes' }, 'params.alerts', 'must be true or false'],
    [{ nodeId: node, label: 'too long' }, 'params.label', 'must be at most 5 characters'],
    [
      { nodeId: node, colour: 'red' },
      'params.colour',
      'unknown parameter (expected nodeId, days, factor, from, mode, alerts, label, modelId)',
    ],
  ])('refuses %j naming %s', (input, field, reason) => {
    expect(validateParams(shape, input).errors).toEqual([{ field, reason }]);
  });

  it('refuses parameters that are not an object', () => {
    expect(validateParams(shape, [1]).errors).toEqual([
      { field: 'params', reason: 'must be an object' },
    ]);
  });
});

describe(describeParams.name, () => {
  it('describes each parameter for the submit form', () => {
    const described = describeParams(shape);
    expect(described.map((p) => p.name)).toEqual(Object.keys(shape));
    expect(described[0]).toEqual({
      name: 'nodeId',
      type: 'node',
      title: 'Node',
      description: null,
      required: true,
      default: null,
      minimum: null,
      maximum: null,
      values: null,
      nodeKinds: ['site'],
      itemKinds: null,
    });
    expect(described[1]).toMatchObject({ required: false, default: 7, minimum: 1, maximum: 366 });
    expect(described[4]).toMatchObject({ values: ['fast', 'exact'] });
    expect(described[7]).toMatchObject({ type: 'item', itemKinds: ['model'], nodeKinds: null });
  });

  it('lists the item parameters with their kinds, and takes only UUIDs for them', () => {
    expect(itemParams(shape)).toEqual([{ name: 'modelId', kinds: ['model'] }]);
    expect(validateParams(shape, { nodeId: node, modelId: 'alpha.model' }).errors).toEqual([
      { field: 'params.modelId', reason: 'must be the id (UUID) of an item' },
    ]);
    expect(validateParams(shape, { nodeId: node, modelId: node.toUpperCase() }).value.modelId).toBe(
      node,
    );
  });
});
