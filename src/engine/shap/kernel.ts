/**
 * The vector layout's unit loop written out for one model (the way fast-json-stringify or a compiled validator
 * is). Units with the same number of tests T and players W form a group; the generator makes each group's T
 * and W constants, so the comparisons that build a unit's row index and the additions of its table row are
 * unrolled, with no inner loop, counter or bound check. The plain loop's inner trip counts change from group to
 * group, which keeps the JIT from unrolling them; written out, the same work runs about 1.5× faster. The kernels
 * do the very same arithmetic in the very same order as the plain loop (VectorLayout.addUnitsPlain), so results
 * are equal bit for bit — test/engine/shap.test.ts compares them with `compile: false`.
 * The source is made only of integers taken from the model's own typed arrays.
 */

/** Where each group's units are (see VectorLayout): count, tests T, width W, and its first test, player and table entry. */
export interface UnitGroups {
  units: Int32Array;
  tests: Int32Array;
  width: Int32Array;
  firstTest: Int32Array;
  firstPlayer: Int32Array;
  firstEntry: Int32Array;
}

/**
 * The unit loop for one complete row (no missing value):
 * (code, testFeature, testPosition, unitFeature, table, phi, unitIndex) → adds every unit's table row to phi and
 * records each unit's row index.
 */
export type VectorKernel = (
  code: Int32Array,
  testFeature: Int32Array,
  testPosition: Int32Array,
  unitFeature: Int32Array,
  table: Float64Array,
  phi: Float64Array,
  unitIndex: Int32Array,
) => void;

/**
 * The same loop for a block of complete rows: codes holds each row's integer codes (stride numFeatures), phi each
 * row's contributions (stride players). Per unit, every row of the block in turn: the unit's tests and table are
 * read once per block instead of once per row. Each row's additions happen in the same order as in the one-row
 * kernel, so each row's result is the same bit for bit.
 */
export type VectorBlockKernel = (
  rows: number,
  codes: Int32Array,
  numFeatures: number,
  testFeature: Int32Array,
  testPosition: Int32Array,
  unitFeature: Int32Array,
  table: Float64Array,
  phi: Float64Array,
  players: number,
) => void;

/** The header of the loop over a group's units, with the group's counts written in. */
function groupLoop(groups: UnitGroups, g: number): string {
  const T = groups.tests[g];
  const W = groups.width[g];
  return `for (let u = 0, s = ${groups.firstTest[g]}, f = ${groups.firstPlayer[g]}, base = ${groups.firstEntry[g]}; u < ${groups.units[g]}; u++, s += ${T}, f += ${W}, base += ${W << T}) {`;
}

export function compileVectorKernel(groups: UnitGroups): VectorKernel {
  const lines = ['let unit = 0;'];
  for (let g = 0; g < groups.units.length; g++) {
    const T = groups.tests[g];
    const W = groups.width[g];
    lines.push(groupLoop(groups, g));
    // left (bit 1) when code ≤ position, i.e. code − position − 1 < 0; test j is bit T − 1 − j
    const bits = Array.from(
      { length: T },
      (_, j) => `(((code[testFeature[s + ${j}]] - testPosition[s + ${j}] - 1) >>> 31) << ${T - 1 - j})`,
    );
    lines.push(`  const index = ${bits.length > 0 ? bits.join(' | ') : '0'};`);
    lines.push(`  const row = base + index * ${W};`);
    for (let i = 0; i < W; i++) lines.push(`  phi[unitFeature[f + ${i}]] += table[row + ${i}];`);
    lines.push('  unitIndex[unit++] = index;');
    lines.push('}');
  }
  return new Function(
    'code',
    'testFeature',
    'testPosition',
    'unitFeature',
    'table',
    'phi',
    'unitIndex',
    lines.join('\n'),
  ) as VectorKernel;
}

export function compileVectorBlockKernel(groups: UnitGroups): VectorBlockKernel {
  const lines: string[] = [];
  for (let g = 0; g < groups.units.length; g++) {
    const T = groups.tests[g];
    const W = groups.width[g];
    lines.push(groupLoop(groups, g));
    for (let j = 0; j < T; j++)
      lines.push(`  const tf${j} = testFeature[s + ${j}], tp${j} = testPosition[s + ${j}] + 1;`);
    for (let i = 0; i < W; i++) lines.push(`  const pf${i} = unitFeature[f + ${i}];`);
    lines.push('  for (let r = 0, at = 0, o = 0; r < rows; r++, at += numFeatures, o += players) {');
    const bits = Array.from({ length: T }, (_, j) => `(((codes[at + tf${j}] - tp${j}) >>> 31) << ${T - 1 - j})`);
    lines.push(`    const row = base + (${bits.length > 0 ? bits.join(' | ') : '0'}) * ${W};`);
    for (let i = 0; i < W; i++) lines.push(`    phi[o + pf${i}] += table[row + ${i}];`);
    lines.push('  }');
    lines.push('}');
  }
  return new Function(
    'rows',
    'codes',
    'numFeatures',
    'testFeature',
    'testPosition',
    'unitFeature',
    'table',
    'phi',
    'players',
    lines.join('\n'),
  ) as VectorBlockKernel;
}
