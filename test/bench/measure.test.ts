import { describe, expect, it } from 'vitest';
import { pairedRatio, spread } from '../../bench/measure.js';

describe('a ratio of figures measured in the same rounds', () => {
  it("is the median of the rounds' own ratios, so that one stalled round does not decide", () => {
    // The anchor's times and the tool's; in round 2 the disk stalled for the tool alone.
    const anchor = spread([2, 2, 2, 2, 2]);
    const tool = spread([2.5, 2.5, 9, 2.5, 2.5]);
    expect(pairedRatio(anchor, tool)).toBeCloseTo(0.8);
    // The machine slowed down for both in rounds 4 and 5, for the tool alone in round 3: the pairs
    // keep the ratio, where the medians (2 s and 7.5 s) would say 0.27.
    const slowing = { anchor: spread([2, 2, 2, 6, 6]), tool: spread([2.5, 2.5, 7.5, 7.5, 7.5]) };
    expect(slowing.anchor.median / slowing.tool.median).toBeCloseTo(0.27, 2);
    expect(pairedRatio(slowing.anchor, slowing.tool)).toBeCloseTo(0.8);
  });

  it('refuses figures of different rounds', () => {
    expect(() => pairedRatio(spread([1, 2]), spread([1, 2, 3]))).toThrow('same rounds');
  });
});
