import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readAuditEntries } from '../../local/audit-query.js';
import { cutTornRecord } from '../../local/audit-trail.js';

const record = (n: number) => `${JSON.stringify({ phase: 'outcome', n, pad: 'x'.repeat(n) })}\n`;

describe('an audit file a killed process left mid-record', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'audit-'));
    file = join(dir, 'audit.jsonl');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('is read up to its last whole record, and cut there before anything is appended again', async () => {
    const whole = record(1) + record(70_000) + record(2);
    await writeFile(file, `${whole}${record(3).slice(0, 20)}`);
    expect((await readAuditEntries(file)).map((entry) => (entry as unknown as { n: number }).n)).toEqual([1, 70_000, 2]);

    expect(await cutTornRecord(file)).toBe(20);
    await appendFile(file, record(4));
    expect(await readFile(file, 'utf8')).toBe(whole + record(4));
    expect(await readAuditEntries(file)).toHaveLength(4);
  });

  it('loses nothing when the file ends with a whole record, is empty, or does not exist', async () => {
    expect(await cutTornRecord(file)).toBe(0);
    await writeFile(file, '');
    expect(await cutTornRecord(file)).toBe(0);
    await writeFile(file, record(1));
    expect(await cutTornRecord(file)).toBe(0);
    expect(await readFile(file, 'utf8')).toBe(record(1));
  });

  it('is emptied when its only record is torn, however long', async () => {
    await writeFile(file, record(200_000).slice(0, 150_000));
    expect(await cutTornRecord(file)).toBe(150_000);
    expect(await readFile(file, 'utf8')).toBe('');
  });
});
