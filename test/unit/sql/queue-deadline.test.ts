// The engine's scheduling pieces, without DuckDB: FIFO queue, deadlines, abort reasons.
import { describe, it, expect } from 'vitest';
import { Deadline, yieldMacrotask } from '../../../src/core/sql/deadline.ts';
import { SerialQueue } from '../../../src/core/sql/serial-queue.ts';
import { isPondError, pondError } from '../../../src/core/errors.ts';
import { rejectionOf } from './helpers.ts';

describe('SerialQueue', () => {
  it('grants in arrival order, one holder at a time', async () => {
    const q = new SerialQueue();
    const order: string[] = [];
    const first = await q.acquire(new Deadline('/p'));
    const waiting = ['a', 'b', 'c'].map((name) =>
      q.acquire(new Deadline('/p')).then((release) => {
        order.push(name);
        release();
      }),
    );
    await yieldMacrotask();
    expect(order).toEqual([]);
    first();
    first(); // idempotent: must not hand out a second grant
    await Promise.all(waiting);
    expect(order).toEqual(['a', 'b', 'c']);
  });

  it('drops a waiter whose deadline passes, and serves the next one', async () => {
    const q = new SerialQueue();
    const holder = await q.acquire(new Deadline('/p'));
    const late = rejectionOf(q.acquire(new Deadline('/late', 20)));
    const patient = q.acquire(new Deadline('/patient'));
    const e = await late;
    expect(isPondError(e, 'ETIMEOUT')).toBe(true);
    expect(String(e)).toMatch(/\/late.*waiting for the SQL engine/);
    holder();
    (await patient)();
    // The timed-out waiter never got the engine: it is free now.
    (await q.acquire(new Deadline('/p', 10)))();
  });

  it('rejects every waiter on failAll', async () => {
    const q = new SerialQueue();
    await q.acquire(new Deadline('/p'));
    const waiters = [rejectionOf(q.acquire(new Deadline('/a'))), rejectionOf(q.acquire(new Deadline('/b')))];
    q.failAll(pondError('ECLOSED', '/p', 'closed'));
    for (const e of await Promise.all(waiters)) expect(isPondError(e, 'ECLOSED')).toBe(true);
  });
});

describe('Deadline', () => {
  it('validates timeoutMs', () => {
    expect(() => new Deadline('/p', -1)).toThrow(/EINVAL/);
    expect(() => new Deadline('/p', Number.NaN)).toThrow(/EINVAL/);
    expect(new Deadline('/p').remaining()).toBe(Infinity);
  });

  it('fails with ETIMEOUT naming path, limit and stage', async () => {
    const d = new Deadline('/q.sql', 5);
    expect(() => d.check('running')).not.toThrow();
    await new Promise((r) => setTimeout(r, 10));
    const e = d.error('running');
    expect(isPondError(e, 'ETIMEOUT')).toBe(true);
    expect(String(e)).toBe('PondError: ETIMEOUT: /q.sql: query exceeded its time limit of 5 ms (running)');
  });

  it('maps abort reasons: PondError and any reason pass through, TimeoutError becomes ETIMEOUT', () => {
    const own = pondError('ECLOSED', '/x', 'closed');
    const withReason = (reason: unknown): unknown => {
      const ac = new AbortController();
      ac.abort(reason);
      return new Deadline('/p', undefined, ac.signal).error('running');
    };
    expect(withReason(own)).toBe(own);
    const mine = new Error('stop');
    expect(withReason(mine)).toBe(mine);
    expect(isPondError(withReason(new DOMException('late', 'TimeoutError')), 'ETIMEOUT')).toBe(true);
  });

  it('onExpire fires once on timeout or abort, and not after unsubscribing', async () => {
    let fired = 0;
    new Deadline('/p', 5).onExpire(() => fired++);
    const ac = new AbortController();
    new Deadline('/p', undefined, ac.signal).onExpire(() => fired++);
    const stop = new Deadline('/p', 5).onExpire(() => fired++);
    stop();
    ac.abort();
    ac.signal.dispatchEvent(new Event('abort'));
    await new Promise((r) => setTimeout(r, 20));
    expect(fired).toBe(2);
  });
});
