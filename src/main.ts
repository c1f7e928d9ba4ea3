// The page: start the pond worker, wrap it with comlink, and mount the Svelte app. Nothing heavy
// loads here: DuckDB and parquet-wasm live in the worker and load there on first use.
import './ui/theme.css';
import { mount } from 'svelte';
import { wrap } from 'comlink';
import App from './ui/App.svelte';
import { AppState } from './ui/state/app.svelte.ts';
import type { PondApi } from '../workers/api.ts';
import { installErrorTransfer } from '../workers/page.ts';
import { BUILD_ID, previousBuild, registerOffline } from './pwa.ts';

// Before the first call: a PondError thrown in the worker must arrive here with its code.
installErrorTransfer();

const worker = new Worker(new URL('../workers/pond.worker.ts', import.meta.url), { type: 'module', name: 'pond' });
const app = new AppState(wrap<PondApi>(worker));

// The pond API from the browser's console (and from end-to-end tests): `await duckpond.api.readdir('/')`.
// It can do nothing the page cannot already do; it saves power users a worker of their own.
Object.assign(globalThis, { duckpond: { api: app.api, app } });

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');

mount(App, { target, props: { app } });

registerOffline({
  onOfflineReady: () => (app.offlineReady = true),
  onUpdateReady: (apply) => (app.updateReady = apply),
});
const before = previousBuild();
if (before) app.notices.info(`DuckPond was updated (build ${BUILD_ID}, was ${before}). Your ponds are as you left them.`);
