import { randomBytes } from 'node:crypto';
import { mkdtemp, open, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FileAppender, readChunks } from '../../packages/client/src/file-io.js';

const directory = () => mkdtemp(join(tmpdir(), 'envelope-file-io-'));

describe('readChunks', () => {
  it('yields every byte of a file in order in full chunks (the last excepted), whatever its size against the chunk size, read ahead or blocking', async () => {
    const dir = await directory();
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 5_000 }), fc.integer({ min: 1, max: 1_500 }), fc.boolean(), async (size, chunkSize, blocking) => {
        const bytes = randomBytes(size);
        await writeFile(join(dir, 'in'), bytes);
        const file = await open(join(dir, 'in'), 'r');
        const seen: Buffer[] = [];
        try {
          // Copied as they come: a chunk is valid only until the next one is asked for.
          for await (const chunk of readChunks(file, { chunkSize: () => chunkSize, blocking })) seen.push(Buffer.from(chunk));
        } finally {
          await file.close();
        }
        expect(Buffer.concat(seen)).toEqual(bytes);
        expect(seen.slice(0, -1).every((chunk) => chunk.length === chunkSize)).toBe(true);
        expect(seen.at(-1)?.length ?? 1).toBeGreaterThan(0);
      }),
      { numRuns: 60 },
    );
  });

  it('reuses kept + 2 buffers, keeps the kept chunks unchanged, and wipes them all when the reader stops, early or not', async () => {
    const dir = await directory();
    const bytes = randomBytes(10_000);
    await writeFile(join(dir, 'in'), bytes);
    for (const [kept, blocking] of [
      [0, false],
      [1, false],
      [3, true],
    ] as const) {
      const file = await open(join(dir, 'in'), 'r');
      try {
        const views: Buffer[] = [];
        for await (const chunk of readChunks(file, { chunkSize: () => 1_000, kept, blocking })) {
          views.push(chunk);
          // The chunks before this one that were to be kept still hold their bytes, though the next read is under way.
          for (let back = 0; back <= kept && back < views.length; back++) {
            const index = views.length - 1 - back;
            expect(views[index]).toEqual(bytes.subarray(index * 1_000, (index + 1) * 1_000));
          }
          if (views.length === 5) break;
        }
        expect(new Set(views.map((view) => view.buffer)).size).toBe(kept + 2);
        for (const view of views) expect(view.every((byte) => byte === 0)).toBe(true);
      } finally {
        await file.close();
      }
    }
  });

  it('reads chunks of the size asked before each read, growing its buffers when asked for more', async () => {
    const dir = await directory();
    const bytes = randomBytes(20_000);
    await writeFile(join(dir, 'in'), bytes);
    const file = await open(join(dir, 'in'), 'r');
    const sizes = [100, 100, 5_000, 5_000, 5_000, 5_000, 5_000];
    const seen: Buffer[] = [];
    try {
      let read = 0;
      for await (const chunk of readChunks(file, { chunkSize: () => sizes[read++]! })) seen.push(Buffer.from(chunk));
    } finally {
      await file.close();
    }
    expect(seen.map((chunk) => chunk.length)).toEqual([100, 100, 5_000, 5_000, 5_000, 4_800]);
    expect(Buffer.concat(seen)).toEqual(bytes);
  });

  it('fails with the read error, as a rejection the caller can handle', async () => {
    const dir = await directory();
    const file = await open(dir, 'r'); // a directory opens, and fails when read
    try {
      await expect(async () => {
        for await (const _ of readChunks(file)) expect.unreachable();
      }).rejects.toMatchObject({ code: 'EISDIR' });
    } finally {
      await file.close();
    }
  });
});

describe('FileAppender', () => {
  it('writes buffer lists one after another, whatever their sizes, writes in flight or queued, bytes gathered per write and syncs between', async () => {
    const dir = await directory();
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 6 }), { maxLength: 12 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 1_000 }),
        fc.integer({ min: 1, max: 2_000 }),
        fc.boolean(),
        async (lists, depth, backlog, writeSize, syncEvery, polled) => {
          const file = await open(join(dir, 'out'), 'w');
          try {
            const output = new FileAppender(file, { depth, backlog, writeSize, syncEvery });
            for (const list of lists) {
              await output.append(list.map((bytes) => Buffer.from(bytes)));
              if (polled) await output.poll();
            }
            await output.flush();
          } finally {
            await file.close();
          }
          expect(await readFile(join(dir, 'out'))).toEqual(Buffer.concat(lists.flat()));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('runs no more than `depth` writes at once, the queued ones starting as earlier ones end', async () => {
    const dir = await directory();
    const file = await open(join(dir, 'out'), 'w');
    const writev = file.writev.bind(file);
    let running = 0;
    let most = 0;
    file.writev = (async (buffers: Buffer[], position: number) => {
      most = Math.max(most, ++running);
      await new Promise((resolve) => setTimeout(resolve, 2));
      running--;
      return writev(buffers, position);
    }) as typeof file.writev;
    try {
      const output = new FileAppender(file, { depth: 2, backlog: 3 });
      const pieces = Array.from({ length: 12 }, (_, index) => Buffer.alloc(10, index));
      await output.append(pieces);
      await output.flush();
      expect(most).toBe(2);
      expect(await readFile(join(dir, 'out'))).toEqual(Buffer.concat(pieces));
    } finally {
      await file.close();
    }
  });

  it('with freeWritten, frees each written buffer that owns its whole block once its write ends, and nothing else', async () => {
    const dir = await directory();
    const file = await open(join(dir, 'out'), 'w');
    const block = () => Buffer.from(randomBytes(Buffer.poolSize + 1));
    const owners = [block(), block()];
    const shared = block();
    const view = shared.subarray(1, 100);
    const pooled = Buffer.from('from the pool');
    const small = Buffer.alloc(16, 1);
    const expected = Buffer.concat([owners[0]!, view, pooled, small, owners[1]!]);
    try {
      const output = new FileAppender(file, { depth: 2, writeSize: 64, freeWritten: true });
      await output.append([owners[0]!, view, pooled, small, owners[1]!]);
      await output.flush();
    } finally {
      await file.close();
    }
    expect(await readFile(join(dir, 'out'))).toEqual(expected);
    expect(owners.map((buffer) => buffer.buffer.byteLength)).toEqual([0, 0]);
    expect([shared.length, view.length, pooled.toString(), small.length]).toEqual([Buffer.poolSize + 1, 99, 'from the pool', 16]);
  });

  it('reports a failed write on the next call, not as an unhandled rejection', async () => {
    const dir = await directory();
    await writeFile(join(dir, 'read-only'), '');
    const file = await open(join(dir, 'read-only'), 'r');
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const output = new FileAppender(file);
      await output.append([Buffer.from('refused')]);
      await new Promise((resolve) => setTimeout(resolve, 50)); // the write fails meanwhile
      await expect(output.append([Buffer.from('more')])).rejects.toMatchObject({ code: 'EBADF' });
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await file.close();
    }
  });
});
