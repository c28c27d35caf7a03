import { describe, expect, it } from '@jest/globals';
import { seededRandom } from '../common/stats';
import { predictGbt, trainGbt } from './gbt';

describe(trainGbt.name, () => {
  it('learns a non-linear function of two features', () => {
    const random = seededRandom(3);
    const n = 2000;
    const x = new Float64Array(n * 2);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      x[2 * i] = random() * 4;
      x[2 * i + 1] = random() * 4;
      y[i] = (x[2 * i] > 2 ? 10 : 0) + x[2 * i + 1] ** 2;
    }
    const model = trainGbt(x, y, 2, {
      trees: 200,
      learningRate: 0.1,
      maxDepth: 3,
      minLeaf: 5,
      featureFraction: 1,
    });
    const predicted = predictGbt(model, Float64Array.of(1, 1, 3, 3));
    expect(predicted[0]).toBeCloseTo(1, 0); // 0 + 1²
    expect(predicted[1]).toBeCloseTo(19, 0); // 10 + 3²
  });

  it('refuses too few rows and mismatched shapes', () => {
    expect(() => trainGbt(new Float64Array(10), new Float64Array(10), 1)).toThrow(
      'y: needs at least 40 rows',
    );
    expect(() => trainGbt(new Float64Array(10), new Float64Array(100), 1)).toThrow('x: must hold');
  });
});
