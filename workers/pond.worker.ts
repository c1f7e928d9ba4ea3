// Placeholder pond worker: proves the page <-> worker comlink channel (and error transfer) works.
// The real worker that hosts a Pond replaces this file.
import { expose } from 'comlink';
import { pondError, type PondErrorCode } from '../src/core/errors.ts';
import { installErrorTransfer } from './error-transfer.ts';

installErrorTransfer();

const api = {
  /** Liveness check: answers 'pong' from inside the worker. */
  ping(): string {
    return 'pong';
  },
  /** Throws a PondError with the given code and path, to test that errors cross the boundary intact. */
  fail(code: PondErrorCode, path: string): never {
    throw pondError(code, path, 'failure requested by the caller');
  },
};

/** What the page sees through `wrap<PondWorkerApi>()`. */
export type PondWorkerApi = typeof api;

expose(api);
