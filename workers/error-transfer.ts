// Comlink's built-in 'throw' handler flattens errors to {message, name, stack}, so a PondError
// arrives as a plain Error without `code` or `data` (comlink issue #594). This replaces the handler;
// it must be installed in the worker (serialize side) and in the page (deserialize side).
import { transferHandlers, type TransferHandler } from 'comlink';
// The one import of a core module other than an entry point: this file runs in the page too, and
// core's index would bring the whole core into the first screen (its modules have top-level side
// effects that the bundler keeps). errors.ts imports nothing.
import { PondError, isPondError, type PondErrorCode, type PondErrorData } from '../src/core/errors.ts';

/** The page's test for a PondError that crossed from the worker (re-exported through page.ts). */
export { isPondError };

/** Comlink's own wire shape for a thrown value; we only add fields, so an old peer still understands it. */
interface SerializedThrown {
  isError: boolean;
  value: unknown;
}

interface SerializedError {
  message: string;
  name: string;
  stack?: string;
  code?: PondErrorCode;
  data?: PondErrorData;
}

let original: TransferHandler<unknown, SerializedThrown> | undefined;

const handler: TransferHandler<unknown, SerializedThrown> = {
  canHandle(value: unknown): value is unknown {
    return original!.canHandle(value);
  },
  serialize(thrown: unknown): [SerializedThrown, Transferable[]] {
    // Comlink wraps what was thrown as { value, [throwMarker]: 0 }.
    const error = (thrown as { value: unknown }).value;
    if (!isPondError(error)) return original!.serialize(thrown);
    const value: SerializedError = {
      message: error.message,
      name: error.name,
      stack: error.stack,
      code: error.code,
      data: cloneableData(error.data),
    };
    return [{ isError: true, value }, []];
  },
  deserialize(serialized: SerializedThrown): unknown {
    const value = serialized.value as Partial<SerializedError> | null;
    if (serialized.isError && value && value.name === 'PondError' && typeof value.code === 'string') {
      const error = PondError.fromJSON({ code: value.code, message: value.message ?? '', data: value.data });
      // The worker's stack is the one that says where the error came from.
      if (value.stack) error.stack = value.stack;
      throw error;
    }
    return original!.deserialize(serialized);
  },
};

/** Register the PondError-preserving 'throw' handler with comlink in this realm (idempotent). */
export function installErrorTransfer(): void {
  const current = transferHandlers.get('throw') as TransferHandler<unknown, SerializedThrown> | undefined;
  if (!current) throw new Error('comlink has no "throw" transfer handler to replace');
  if (current === handler) return;
  original = current;
  transferHandlers.set('throw', handler as TransferHandler<unknown, unknown>);
}

/** `data` must survive postMessage: an uncloneable value (a function, a DOM node) would turn the
 * error into comlink's generic "Unserializable return value", losing the code as well. */
function cloneableData(data: PondErrorData): PondErrorData {
  try {
    return structuredClone(data);
  } catch {
    try {
      return JSON.parse(JSON.stringify(data, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))) as PondErrorData;
    } catch {
      return data.path === undefined ? {} : { path: String(data.path) };
    }
  }
}
