import { describe, it, expect } from 'vitest';
import { MemoryStore } from '../../../src/core/storage/memory.ts';
import { testObjectStore } from '../../shared/object-store-suite.ts';

testObjectStore('MemoryStore', async () => new MemoryStore());

describe('MemoryStore lock queue', () => {
  it('grants waiters in arrival order', async () => {
    const store = new MemoryStore();
    const first = await store.lock();
    const order: number[] = [];
    const waiters = [1, 2, 3].map((n) =>
      store.lock().then(async (release) => {
        order.push(n);
        await release();
      }),
    );
    await first();
    await Promise.all(waiters);
    expect(order).toEqual([1, 2, 3]);
  });

  it('treats an infinite timeout as waiting for as long as it takes', async () => {
    const store = new MemoryStore();
    const first = await store.lock();
    let granted = false;
    const waiting = store.lock({ timeoutMs: Infinity }).then((release) => {
      granted = true;
      return release;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(granted).toBe(false);
    await first();
    await (
      await waiting
    )();
  });

  it('fails pending waiters with ECLOSED when closed', async () => {
    const store = new MemoryStore();
    await store.lock();
    const waiting = store.lock({ timeoutMs: 10_000 });
    await store.close();
    await expect(waiting).rejects.toMatchObject({ code: 'ECLOSED' });
  });
});
