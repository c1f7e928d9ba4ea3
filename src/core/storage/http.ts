/**
 * HttpStore: a published pond read from any static host (GitHub Pages, S3, a CDN, `vite preview`),
 * read-only. Static hosts cannot list folders, so the pond's folder carries `duckpond-index.json`
 * (publish-index.ts); the index answers list/exists/size without a request, keeps reads inside
 * the folder, and lets every download be checked against its size and sha256. Ranges use HTTP
 * `Range` where the host honours it and slice a full 200 response where it does not (some hosts,
 * and a service worker answering from its precache, ignore Range).
 */
import { pondError, type PondError } from '../errors.ts';
import { createSha256, sha256Hex } from '../hash.ts';
import { checkKey, checkRange, closedError, erroredStream } from './common.ts';
import type { ObjectStore } from './object-store.ts';
import { PUBLISH_INDEX, parsePublishIndex, type PublishedFile } from './publish-index.ts';

export interface HttpStoreOptions {
  /** The fetch to use (tests, or a fetch with credentials); the global one by default. */
  fetch?: typeof fetch;
  /** Check each whole-object download against the index's sha256 (default true). */
  verify?: boolean;
}

const READ_ONLY = 'a pond opened by URL is read-only; make a local copy to change it';

export class HttpStore implements ObjectStore {
  readonly kind = 'http';
  readonly writable = false;
  readonly #base: URL;
  readonly #files: Map<string, PublishedFile>;
  readonly #fetch: typeof fetch;
  readonly #verify: boolean;
  readonly #abort = new AbortController();
  #closed = false;

  private constructor(base: URL, files: PublishedFile[], options: HttpStoreOptions) {
    this.#base = base;
    this.#files = new Map(files.map((f) => [f.key, f]));
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.#verify = options.verify ?? true;
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
      throw pondError('ENOENT', indexUrl.href, `no ${PUBLISH_INDEX} here: a pond is published by exporting it (Storage → Export as .zip) and unzipping it into this folder`);
    }
    if (!res.ok) throw httpError(indexUrl, res);
    const index = parsePublishIndex(await res.text(), indexUrl.href);
    return new HttpStore(base, index.files, options);
  }

  /** The folder this store reads (absolute, ending in '/'). */
  get url(): string {
    return this.#base.href;
  }

  async read(key: string): Promise<Uint8Array> {
    const file = this.#file(key);
    const res = await this.#get(key);
    const bytes = new Uint8Array(await res.arrayBuffer());
    await this.#check(key, file, bytes.length, this.#verify ? () => sha256Hex(bytes) : null);
    return bytes;
  }

  async readRange(key: string, offset: number, length: number): Promise<Uint8Array> {
    checkRange(key, offset, length);
    const file = this.#file(key);
    const end = Math.min(file.size, offset + length);
    if (end <= offset) return new Uint8Array(0);
    const res = await this.#get(key, { Range: `bytes=${offset}-${end - 1}` });
    const body = new Uint8Array(await res.arrayBuffer());
    if (res.status === 206) {
      if (body.length !== end - offset) throw pondError('ECORRUPT', key, `the host sent ${body.length} bytes for a range of ${end - offset}`);
      return body;
    }
    // 200: the whole object (Range ignored); it must at least be the listed size.
    await this.#check(key, file, body.length, null);
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
    let hash: Awaited<ReturnType<typeof createSha256>> | null = null;
    let size = 0;
    return new ReadableStream<Uint8Array>({
      start: async () => {
        const res = await this.#get(key);
        if (!res.body) throw pondError('EIO', key, 'the host sent no body');
        reader = res.body.getReader();
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
        hash?.update(value);
        controller.enqueue(value);
      },
      cancel: async (reason) => {
        await reader?.cancel(reason);
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

  async #get(key: string, headers?: Record<string, string>): Promise<Response> {
    const url = new URL(key.split('/').map((part) => encodeURIComponent(part).replace(/%3D/g, '=')).join('/'), this.#base);
    const res = await request(this.#fetch, url, { headers, signal: this.#abort.signal }, key);
    // A listed file the host no longer has: the folder and its index disagree.
    if (res.status === 404) throw pondError('ENOENT', key, `listed in ${PUBLISH_INDEX} but the host answered 404 for ${url.href}`);
    if (!res.ok) throw httpError(url, res, key);
    return res;
  }

  async #check(key: string, file: PublishedFile, size: number, digest: (() => Promise<string>) | null): Promise<void> {
    if (size !== file.size) throw pondError('ECORRUPT', key, `the host sent ${size} bytes; ${PUBLISH_INDEX} lists ${file.size} (a truncated or changed upload?)`);
    if (digest && (await digest()) !== file.sha256) throw pondError('ECORRUPT', key, `its sha256 differs from ${PUBLISH_INDEX}: the published file was changed or damaged`);
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

/** fetch, with network failures as EIO naming the URL (and the key, when reading an object). */
async function request(doFetch: typeof fetch, url: URL, init: RequestInit, key?: string): Promise<Response> {
  try {
    return await doFetch(url, init);
  } catch (e) {
    if ((e as { name?: unknown }).name === 'AbortError' || (e as { code?: unknown }).code === 'ECLOSED') throw e;
    throw pondError('EIO', key ?? url.href, `could not reach ${url.href} (${(e as Error).message}); offline, or the host does not allow reads from this site (CORS)`, { url: url.href }, e);
  }
}

function httpError(url: URL, res: Response, key?: string): PondError {
  return pondError('EIO', key ?? url.href, `${url.href} answered HTTP ${res.status} ${res.statusText}`.trim(), { url: url.href, status: res.status });
}
