import { describe, expect, it } from 'vitest';
import { TAG_LIMITS } from '../../contract/limits.js';
import { tagRows, tagsError, tagsOf } from '../../packages/console/src/components/tags.js';

const row = (key: string, value = '') => ({ key, value, existing: false });

describe('tags', () => {
  it('round-trips a key tags through the editor rows, leaving out those marked for removal', () => {
    const rows = tagRows({ team: 'payments', class: 'pii' });
    expect(rows.every((tag) => tag.existing)).toBe(true);
    expect(tagsOf([...rows, { ...row('gone'), markedForRemoval: true }])).toEqual({ team: 'payments', class: 'pii' });
  });

  it('refuses what the API refuses', () => {
    expect(tagsError([row('team', 'payments'), row('Cost centre', 'a/b=c+d@e')])).toBeUndefined();
    expect(tagsError([row('')])).toMatch(/needs a key/);
    expect(tagsError([row('AWS:team')])).toMatch(/aws:/);
    expect(tagsError([row('team!')])).toMatch(/letters/);
    expect(tagsError([row('team', 'x'.repeat(TAG_LIMITS.maxValueLength + 1))])).toMatch(String(TAG_LIMITS.maxValueLength));
    expect(tagsError([row('k'.repeat(TAG_LIMITS.maxKeyLength + 1))])).toMatch(String(TAG_LIMITS.maxKeyLength));
    expect(tagsError([row('team'), row('team')])).toMatch(/twice/);
    expect(tagsError(Array.from({ length: TAG_LIMITS.maxTags + 1 }, (_, index) => row(`t${index}`)))).toMatch(`at most ${TAG_LIMITS.maxTags}`);
  });
});
