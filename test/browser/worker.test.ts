import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { wrap, expose, releaseProxy, type Remote } from 'comlink';
import type { PondWorkerApi } from '../../workers/pond.worker.ts';
import { installErrorTransfer } from '../../workers/error-transfer.ts';
import { PondError, isPondError } from '../../src/core/errors.ts';
import { wasmAssets } from '../../src/core/wasm-assets.ts';
import { rejectionOf } from '../shared/rejection.ts';

installErrorTransfer();

describe('pond worker over comlink', () => {
  let worker: Worker;
  let pond: Remote<PondWorkerApi>;

  beforeAll(() => {
    worker = new Worker(new URL('../../workers/pond.worker.ts', import.meta.url), { type: 'module' });
    pond = wrap<PondWorkerApi>(worker);
  });

  afterAll(() => {
    pond[releaseProxy]();
    worker.terminate();
  });

  it('answers ping from a real module worker', async () => {
    expect(await pond.ping()).toBe('pong');
  });

  it('delivers a thrown PondError as a PondError with code, path and message', async () => {
    const e = await rejectionOf(pond.fail('ENOENT', '/data/missing.parquet'));
    expect(e).toBeInstanceOf(PondError);
    expect(isPondError(e, 'ENOENT')).toBe(true);
    const err = e as PondError;
    expect(err.code).toBe('ENOENT');
    expect(err.data.path).toBe('/data/missing.parquet');
    expect(err.path).toBe('/data/missing.parquet');
    expect(err.message).toBe('ENOENT: /data/missing.parquet: failure requested by the caller');
    // The stack is the worker's, so it points at where the error was raised.
    expect(err.stack).toContain('pond.worker.ts');
  });

  it('keeps each code distinct across calls', async () => {
    const codes = ['EEXIST', 'ECONFIG', 'ECORRUPT'] as const;
    const errors = await Promise.all(codes.map((c, i) => rejectionOf(pond.fail(c, `/p${i}`))));
    expect(errors.map((e) => (e as PondError).code)).toEqual(codes);
    expect(errors.map((e) => (e as PondError).data.path)).toEqual(['/p0', '/p1', '/p2']);
  });

  it('is still usable after an error', async () => {
    await rejectionOf(pond.fail('EINVAL', '/x'));
    expect(await pond.ping()).toBe('pong');
  });
});

describe('error transfer handler (in-page MessageChannel)', () => {
  const channel = new MessageChannel();
  const api = {
    plain(): never {
      throw new TypeError('plain failure');
    },
    withData(): never {
      // A function in `data` cannot be structured-cloned; the code must survive anyway.
      throw new PondError('EFACTORY', '/dyn: boom', { path: '/dyn', factory: 'sql_query', hook: () => 1, n: 7n });
    },
    notAnError(): never {
      throw { reason: 'raw object' };
    },
  };
  expose(api, channel.port1);
  const remote = wrap<typeof api>(channel.port2);

  afterAll(() => {
    remote[releaseProxy]();
    channel.port1.close();
  });

  it('leaves non-PondErrors to comlink: name and message survive, no code appears', async () => {
    const e = await rejectionOf(remote.plain());
    expect(e).toBeInstanceOf(Error);
    expect(e).not.toBeInstanceOf(PondError);
    expect((e as Error).name).toBe('TypeError');
    expect((e as Error).message).toBe('plain failure');
    expect(isPondError(e)).toBe(false);
  });

  it('keeps code and path when data holds uncloneable values', async () => {
    const e = await rejectionOf(remote.withData());
    expect(isPondError(e, 'EFACTORY')).toBe(true);
    expect((e as PondError).data.path).toBe('/dyn');
    expect((e as PondError).data.factory).toBe('sql_query');
  });

  it('passes thrown non-errors through unchanged', async () => {
    expect(await rejectionOf(remote.notAnError())).toEqual({ reason: 'raw object' });
  });

  it('is idempotent', () => {
    expect(() => installErrorTransfer()).not.toThrow();
  });
});

describe('browser setup', () => {
  it('registers wasm URLs that serve real WebAssembly', async () => {
    const { parquetWasmUrl, duckdbEhWasmUrl } = wasmAssets();
    expect(parquetWasmUrl).toBeTruthy();
    expect(duckdbEhWasmUrl).toBeTruthy();
    const res = await fetch(parquetWasmUrl!);
    expect(res.ok).toBe(true);
    const magic = new Uint8Array(await res.arrayBuffer()).slice(0, 4);
    expect(Array.from(magic)).toEqual([0x00, 0x61, 0x73, 0x6d]); // "\0asm"
  });
});
