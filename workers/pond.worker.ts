/// <reference lib="webworker" />
// The pond worker: one per tab. It owns the pond (storage, factory registry, DuckDB) and serves
// PondApi to the page through comlink. Everything else lives in pond-service.ts.
import { expose } from 'comlink';
import './wasm-assets.ts';
import { installErrorTransfer } from './error-transfer.ts';
import { pondError, type PondErrorCode } from '../src/core/index.ts';
import { PondService } from './pond-service.ts';
import { detectBackend } from './backends.ts';
import type { PondApi } from './api.ts';

// Before the first reply: a PondError must leave this worker with its code and path.
installErrorTransfer();

/** Checks of the channel itself, kept here so that an error's stack names the worker entry. */
const diagnostics = {
  /** Liveness check: answers 'pong' from inside the worker. */
  ping(): string {
    return 'pong';
  },
  /** Throws a PondError with the given code and path, to test that errors cross the boundary intact. */
  fail(code: PondErrorCode, path: string): never {
    throw pondError(code, path, 'failure requested by the caller');
  },
};

const api: PondApi = Object.assign(new PondService(detectBackend), diagnostics);

/** What the page sees through `wrap<PondWorkerApi>()`. */
export type PondWorkerApi = PondApi;

// Synchronously, at start: a message that arrives before expose() would be lost.
expose(api);
