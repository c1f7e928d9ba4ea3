/**
 * The CLI's view of the terminal: where output goes, whether it is a TTY (tables and colour on a
 * terminal, raw bytes and plain text when piped), and writes that wait for a slow reader.
 */
import type { Writable } from 'node:stream';

/** Output streams and what they are connected to. */
export interface Output {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  /** stdout is a terminal. */
  tty: boolean;
  /** Colour escapes allowed on stdout (a terminal, and NO_COLOR unset or empty). */
  color: boolean;
}

/** The process's output, with colour only on a TTY and never with NO_COLOR. */
export function processOutput(env: NodeJS.ProcessEnv = process.env): Output {
  const tty = process.stdout.isTTY === true;
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
  return { stdout: process.stdout, stderr: process.stderr, tty, color: tty && !noColor };
}

/** Write to a stream, waiting for it to drain when its buffer is full (a pipe to a slow reader). */
export function write(stream: Writable, chunk: string | Uint8Array): Promise<void> {
  if (stream.write(chunk)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onDrain = (): void => {
      stream.off('error', onError);
      resolve();
    };
    const onError = (e: Error): void => {
      stream.off('drain', onDrain);
      reject(e);
    };
    stream.once('drain', onDrain);
    stream.once('error', onError);
  });
}

/** Wrap `text` in an ANSI colour when `on`. */
export function paint(on: boolean, color: 'red' | 'blue' | 'dim' | 'bold', text: string): string {
  if (!on) return text;
  const codes = { red: 31, blue: 34, dim: 2, bold: 1 } as const;
  return `\x1b[${codes[color]}m${text}\x1b[0m`;
}
