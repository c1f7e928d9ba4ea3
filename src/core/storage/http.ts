/**
 * HttpStore: a published pond read from any static host (GitHub Pages, S3, a CDN, `vite preview`),
 * read-only. Static hosts cannot list folders, so the pond's folder carries `duckpond-index.json`
 * (publish-index.ts); the index answers list/exists/size without a request, keeps reads inside
 * the folder, and lets every download be checked against its size and sha256. The host is not
 * trusted: a body is read as a stream and cut off (the request aborted) the moment it passes the
 * size the index declares, so a host cannot make a reader download or hold more than that. Ranges
 * use HTTP `Range` where the host honours it and read a full 200 response (bounded, verified,
 * then sliced) where it does not (some hosts, and a service worker answering from its precache,
 * ignore Range). See docs/storage.md for what a partial read can and cannot verify.
 */
import { pondError, type PondError } from '../errors.ts';
import { createSha256, sha256Hex } from '../hash.ts';
import { concatBytes } from '../bytes.ts';
import { checkKey, checkRange, closedError, erroredStream } from './common.ts';
import type { ObjectStore } from './object-store.ts';
import { PUBLISH_INDEX, parsePublishIndex, type PublishedFile } from './publish-index.ts';

export interface HttpStoreOptions {
  /** The fetch to use (tests, or a fetch with credentials); the global one by default. */
  fetch?: typeof fetch;
  /** Check each whole-object download against the index's sha256 (default true). Sizes are always checked. */
  verify?: boolean;
  /** The largest object `read` and `readRange` hold in memory (default 1 GiB); larger ones are ETOOBIG before any request (stream them). */
  maxReadBytes?: number;
}

/** The largest publish index read: ~500,000 files; a host sending more is refused before it is parsed. */
const MAX_INDEX_BYTES = 64 * 1024 * 1024;
const DEFAULT_MAX_READ = 1024 * 1024 * 1024;

const READ_ONLY = 'a pond opened by URL is read-only; make a local copy to change it';

export class HttpStore implements ObjectStore {
  readonly kind = 'http';
  readonly writable = false;
  readonly #base: URL;
  readonly #files: Map<string, PublishedFile>;
  readonly #fetch: typeof fetch;
  readonly #verify: boolean;
  readonly #maxRead: number;
  readonly #abort = new AbortController();
  #closed = false;

  private constructor(base: URL, files: PublishedFile[], options: HttpStoreOptions) {
    this.#base = base;
    this.#files = new Map(files.map((f) => [f.key, f]));
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.#verify = options.verify ?? true;
    this.#maxRead = options.maxReadBytes ?? DEFAULT_MAX_READ;
  }

  /**
   * Open the published pond whose folder is `baseUrl` (relative URLs resolve against the current
   * page). ENOENT naming the index URL when the folder has no index: it was not exported for publishing.
   */
  static async open(baseUrl: string | URL, options: HttpStoreOptions = {}): Promise<HttpStore> {
    const base = folderUrl(baseUrl);
    const indexUrl = new URL(PUBLISH_INDEX, base);
    const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    // Revalidated rather than taken from the HTTP cache: a re-published pond must show its new versions.
    const res = await request(doFetch, indexUrl, { cache: 'no-cache' });
    // Hosts with a single-page-app fallback answer a missing file with their index.html.
    if (res.status === 404 || (res.ok && /text\/html/i.test(res.headers.get('content-type') ?? ''))) {
      throw pondError(
        'ENOENT',
        indexUrl.href,
        `no ${PUBLISH_INDEX} here: a pond is published by exporting it (Storage → Export as .zip) and unzipping it into this folder`,
      );
    }
    if (!res.ok) throw httpError(indexUrl, res);
    const bytes = await readBody(res, indexUrl.href, MAX_INDEX_BYTES, () =>
      pondError('ETOOBIG', indexUrl.href, `the publish index is over ${MAX_INDEX_BYTES} bytes`),
    );
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch (e) {
      throw pondError('ECORRUPT', indexUrl.href, 'the publish index is not UTF-8', {}, e);
    }
    const index = parsePublishIndex(text, indexUrl.href);
    return new HttpStore(base, index.files, options);
  }

  /** The folder this store reads (absolute, ending in '/'). */
  get url(): string {
    return this.#base.href;
  }

  async read(key: string): Promise<Uint8Array> {
    const file = this.#file(key);
    this.#fits(key, file.size);
    const { res, abort } = await this.#get(key);
    if (res.status !== 200) throw unexpected(key, res, 'the whole file');
    this.#checkLength(key, res, file.size, abort);
    const bytes = await readBody(res, key, file.size, () => this.#tooMany(key, file.size), abort);
    await this.#check(key, file, bytes.length, this.#verify ? () => sha256Hex(bytes) : null);
    return bytes;
  }

  async readRange(key: string, offset: number, length: number): Promise<Uint8Array> {
    checkRange(key, offset, length);
    const file = this.#file(key);
    const end = Math.min(file.size, offset + length);
    if (end <= offset) return new Uint8Array(0);
    this.#fits(key, end - offset);
    const { res, abort } = await this.#get(key, { Range: `bytes=${offset}-${end - 1}` });
    if (res.status === 206) {
      // Position and length are checked; the content cannot be hashed against the whole file's sha256.
      const range = res.headers.get('content-range');
      if (range !== null) checkContentRange(key, range, offset, end, file.size, abort);
      this.#checkLength(key, res, end - offset, abort);
      const body = await readBody(
        res,
        key,
        end - offset,
        () => pondError('ECORRUPT', key, `the host sent more than the ${end - offset} bytes of range ${offset}-${end - 1}`),
        abort,
      );
      if (body.length !== end - offset) throw pondError('ECORRUPT', key, `the host sent ${body.length} bytes for a range of ${end - offset}`);
      return body;
    }
    if (res.status !== 200) throw unexpected(key, res, `range ${offset}-${end - 1}`);
    // 200: the host ignored Range and sends the whole object. Read it only up to the listed size,
    // verify it whole (size, then sha256), then slice.
    if (file.size > this.#maxRead) abort();
    this.#fits(key, file.size);
    this.#checkLength(key, res, file.size, abort);
    const body = await readBody(res, key, file.size, () => this.#tooMany(key, file.size), abort);
    await this.#check(key, file, body.length, this.#verify ? () => sha256Hex(body) : null);
    return body.slice(offset, end);
  }

  readStream(key: string): ReadableStream<Uint8Array> {
    let file: PublishedFile;
    try {
      file = this.#file(key);
    } catch (e) {
      return erroredStream(e);
    }
    let reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
    let abort: (() => void) | null = null;
    let hash: Awaited<ReturnType<typeof createSha256>> | null = null;
    let size = 0;
    return new ReadableStream<Uint8Array>({
      start: async () => {
        const got = await this.#get(key);
        abort = got.abort;
        if (got.res.status !== 200) throw unexpected(key, got.res, 'the whole file');
        this.#checkLength(key, got.res, file.size, got.abort);
        if (!got.res.body) throw pondError('EIO', key, 'the host sent no body');
        reader = got.res.body.getReader();
        if (this.#verify) hash = await createSha256();
      },
      pull: async (controller) => {
        const { done, value } = await reader!.read();
        if (done) {
          // The last chunk is released only after the whole object proved to be what the index lists.
          await this.#check(key, file, size, hash ? async () => hash!.hex() : null);
          controller.close();
          return;
        }
        size += value.length;
        if (size > file.size) {
          // Stop the download now: a host must not make a reader take more than the index declares.
          await reader!.cancel().catch(() => {});
          abort!();
          throw this.#tooMany(key, file.size);
        }
        hash?.update(value);
        controller.enqueue(value);
      },
      cancel: async (reason) => {
        await reader?.cancel(reason);
        abort?.();
      },
    });
  }

  async write(key: string, _data?: Uint8Array): Promise<void> {
    throw this.#readOnly(key);
  }

  async writeStream(key: string, data: ReadableStream<Uint8Array>): Promise<number> {
    await data.cancel().catch(() => {});
    throw this.#readOnly(key);
  }

  async putIfAbsent(key: string, _data?: Uint8Array): Promise<boolean> {
    throw this.#readOnly(key);
  }

  async move(from: string, _to?: string): Promise<void> {
    throw this.#readOnly(from);
  }

  async delete(key: string): Promise<void> {
    throw this.#readOnly(key);
  }

  async lock(): Promise<() => Promise<void>> {
    throw this.#readOnly('/');
  }

  async exists(key: string): Promise<boolean> {
    this.#open(key);
    checkKey(key);
    return this.#files.has(key);
  }

  async size(key: string): Promise<number | undefined> {
    this.#open(key);
    checkKey(key);
    return this.#files.get(key)?.size;
  }

  async list(prefix: string): Promise<string[]> {
    this.#open(prefix);
    return [...this.#files.keys()].filter((k) => k.startsWith(prefix)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#abort.abort(closedError(this.kind));
  }

  /** The index entry of `key`; ENOENT without a request when the pond does not list it. */
  #file(key: string): PublishedFile {
    this.#open(key);
    checkKey(key);
    const file = this.#files.get(key);
    if (!file) throw pondError('ENOENT', key, `not in the published pond's ${PUBLISH_INDEX}`);
    return file;
  }

  /** GET one object; `abort` ends this request alone (the body stream and its connection). */
  async #get(key: string, headers?: Record<string, string>): Promise<{ res: Response; abort: () => void }> {
    const url = new URL(
      key
        .split('/')
        .map((part) => encodeURIComponent(part).replace(/%3D/g, '='))
        .join('/'),
      this.#base,
    );
    const mine = new AbortController();
    const signal = AbortSignal.any([this.#abort.signal, mine.signal]);
    const res = await request(this.#fetch, url, { headers, signal }, key);
    const abort = () => mine.abort(pondError('ECORRUPT', key, 'the read was stopped'));
    // A listed file the host no longer has: the folder and its index disagree.
    if (res.status === 404) {
      await res.body?.cancel().catch(() => {});
      throw pondError('ENOENT', key, `listed in ${PUBLISH_INDEX} but the host answered 404 for ${url.href}`);
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => {});
      throw httpError(url, res, key);
    }
    return { res, abort };
  }

  async #check(key: string, file: PublishedFile, size: number, digest: (() => Promise<string>) | null): Promise<void> {
    if (size !== file.size)
      throw pondError('ECORRUPT', key, `the host sent ${size} bytes; ${PUBLISH_INDEX} lists ${file.size} (a truncated or changed upload?)`);
    if (digest && (await digest()) !== file.sha256)
      throw pondError('ECORRUPT', key, `its sha256 differs from ${PUBLISH_INDEX}: the published file was changed or damaged`);
  }

  /**
   * Refuse, before reading it, a body whose Content-Length announces more than `expected` bytes.
   * Only where the header means the body's length: same-origin (or Node) responses without a
   * Content-Encoding (a compressed body's length is the compressed one, and a cross-origin
   * response hides Content-Encoding). Fewer bytes than listed are caught by the count anyway.
   */
  #checkLength(key: string, res: Response, expected: number, abort: () => void): void {
    const declared = res.headers.get('content-length')?.trim();
    if (declared === undefined || !/^\d+$/.test(declared) || res.type === 'cors' || res.type === 'opaque') return;
    const encoding = res.headers.get('content-encoding');
    if (encoding !== null && encoding.trim().toLowerCase() !== 'identity') return;
    if (Number(declared) > expected) {
      void res.body?.cancel().catch(() => {});
      abort();
      throw pondError('ECORRUPT', key, `the host announces ${declared.slice(0, 40)} bytes (Content-Length) for ${expected}`);
    }
  }

  #fits(key: string, size: number): void {
    if (size > this.#maxRead) throw pondError('ETOOBIG', key, `${size} bytes is more than a read holds in memory (${this.#maxRead}); stream it instead`);
  }

  #tooMany(key: string, size: number): PondError {
    return pondError('ECORRUPT', key, `the host sent more than the ${size} bytes ${PUBLISH_INDEX} lists; the download was stopped`);
  }

  #open(key: string): void {
    if (this.#closed) throw closedError(this.kind, key);
  }

  #readOnly(key: string): PondError {
    this.#open(key);
    return pondError('EROFS', key, READ_ONLY);
  }
}

/** `url` as a folder URL: absolute (against the page where there is one), ending in '/', no query or hash. */
function folderUrl(url: string | URL): URL {
  let abs: URL;
  try {
    abs = new URL(url, globalThis.location?.href);
  } catch {
    throw pondError('EINVAL', String(url), 'not a URL');
  }
  if (abs.protocol !== 'http:' && abs.protocol !== 'https:') throw pondError('EINVAL', abs.href, 'a published pond is read over http(s)');
  abs.hash = '';
  abs.search = '';
  if (!abs.pathname.endsWith('/')) abs.pathname += '/';
  return abs;
}

/**
 * fetch, with network failures as EIO naming the URL (and the key, when reading an object). Every
 * request here is a GET, so one that failed before any answer is tried once more: a kept-alive
 * connection the host (or a read we aborted) has closed fails only the next request sent on it.
 */
async function request(doFetch: typeof fetch, url: URL, init: RequestInit, key?: string): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await doFetch(url, init);
    } catch (e) {
      if ((e as { name?: unknown }).name === 'AbortError' || (e as { code?: unknown }).code === 'ECLOSED') throw e;
      if (attempt < 2 && !init.signal?.aborted) continue;
      throw networkError(url, key, e);
    }
  }
}

function networkError(url: URL, key: string | undefined, e: unknown): PondError {
  return pondError(
    'EIO',
    key ?? url.href,
    `could not reach ${url.href} (${(e as Error).message}); offline, or the host does not allow reads from this site (CORS)`,
    { url: url.href },
    e,
  );
}

/**
 * A response body, read as a stream and never past `limit` bytes: one byte more cancels the
 * stream, aborts the request, and throws `tooMany()`. Fewer bytes are returned for the caller to judge.
 */
async function readBody(res: Response, key: string, limit: number, tooMany: () => PondError, abort?: () => void): Promise<Uint8Array> {
  if (!res.body) return new Uint8Array(0);
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > limit) {
        await reader.cancel().catch(() => {});
        abort?.();
        throw tooMany();
      }
      parts.push(value);
    }
  } catch (e) {
    if ((e as { name?: unknown }).name === 'PondError') throw e;
    throw pondError('EIO', key, `the download broke off (${(e as Error).message})`, {}, e);
  }
  return concatBytes(parts, size);
}

/** Check a visible `Content-Range: bytes a-b/total` against the range asked for and the listed size. */
function checkContentRange(key: string, header: string, offset: number, end: number, size: number, abort: () => void): void {
  const m = /^\s*bytes\s+(\d+)-(\d+)\/(\d+|\*)\s*$/i.exec(header);
  const ok = m !== null && Number(m[1]) === offset && Number(m[2]) === end - 1 && (m[3] === '*' || Number(m[3]) === size);
  if (!ok) {
    abort();
    throw pondError('ECORRUPT', key, `the host answered range ${offset}-${end - 1} of ${size} bytes with Content-Range "${header.slice(0, 80)}"`);
  }
}

/** A 2xx answer that is not the one asked for (206 to a whole-file GET, 204, ...). */
function unexpected(key: string, res: Response, asked: string): PondError {
  void res.body?.cancel().catch(() => {});
  const code = res.status === 206 ? 'ECORRUPT' : 'EIO';
  return pondError(code, key, `the host answered HTTP ${res.status} to a request for ${asked}`, { status: res.status });
}

function httpError(url: URL, res: Response, key?: string): PondError {
  return pondError('EIO', key ?? url.href, `${url.href} answered HTTP ${res.status} ${res.statusText}`.trim(), { url: url.href, status: res.status });
}
