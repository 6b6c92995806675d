import { describe, expect, it } from 'vitest';
import {
  agree,
  between,
  counted,
  direction,
  listAnd,
  psiReading,
  sideOf,
  signed,
  withInterval,
} from '../../src/report/prose.js';

describe('prose helpers', () => {
  it('writes signed numbers with a real minus sign and no sign on a rounded zero', () => {
    expect(signed(0.254, 2)).toBe('+0.25');
    expect(signed(-1.3, 2)).toBe('−1.30');
    expect(signed(-0.004, 2)).toBe('0.00');
    expect(signed(0.004, 2)).toBe('0.00');
    expect(signed(5.9, 1, '%')).toBe('+5.9%');
  });

  it('lists with commas and a final "and"', () => {
    expect(listAnd([])).toBe('none');
    expect(listAnd([], 'nothing')).toBe('nothing');
    expect(listAnd(['IF'])).toBe('IF');
    expect(listAnd(['IF', 'VVS1'])).toBe('IF and VVS1');
    expect(listAnd(['D', 'E', 'F'])).toBe('D, E and F');
  });

  it('counts with the noun in the right number', () => {
    expect(counted(1, 'stone')).toBe('1 stone');
    expect(counted(0, 'stone')).toBe('0 stones');
    expect(counted(1204, 'stone')).toBe('1,204 stones');
    expect(counted(2, 'batch', 'batches')).toBe('2 batches');
  });

  it('writes an estimate with its interval using "to", so negative bounds stay readable', () => {
    expect(withInterval({ estimate: -0.3, low: -0.45, high: -0.12 }, (v) => signed(v, 2))).toBe(
      '−0.30 (−0.45 to −0.12)',
    );
  });

  it('writes an interval alone, its bounds in order', () => {
    expect(between({ low: -0.45, high: 0.12 }, (v) => signed(v, 2))).toBe('−0.45 to +0.12');
    expect(between({ low: 0.862, high: 0.952 }, (v) => `${(v * 100).toFixed(1)}%`)).toBe('86.2% to 95.2%');
  });

  it('reads a paired change from its interval', () => {
    expect(direction({ low: -0.4, high: -0.1 })).toBe('lower');
    expect(direction({ low: 0.1, high: 0.4 })).toBe('higher');
    expect(direction({ low: -0.1, high: 0.1 })).toBe('within the noise');
  });

  it('agrees a word with a count', () => {
    expect(agree(1, 'has', 'have')).toBe('has');
    expect(agree(0, 'has', 'have')).toBe('have');
    expect(agree(4, 'is', 'are')).toBe('are');
  });

  it('says which side of a pivot a set of estimates lies on', () => {
    expect(sideOf([1.03, 1.04], 1)).toBe('higher');
    expect(sideOf([0.97, 0.99], 1)).toBe('lower');
    expect(sideOf([0.97, 1.02], 1)).toBe('either side');
    expect(sideOf([], 1)).toBe('either side');
  });

  it('reads a population stability index by the rule of thumb', () => {
    expect(psiReading(0.05)).toMatch(/stable/);
    expect(psiReading(0.15)).toMatch(/worth a look/);
    expect(psiReading(0.3)).toMatch(/large/);
  });
});
