import { mount } from 'svelte';
import { wrap } from 'comlink';
import App from './ui/App.svelte';
import type { PondWorkerApi } from '../workers/pond.worker.ts';
import { installErrorTransfer } from '../workers/error-transfer.ts';

// Before the first call: a PondError thrown in the worker must arrive here with its code.
installErrorTransfer();

const worker = new Worker(new URL('../workers/pond.worker.ts', import.meta.url), { type: 'module', name: 'pond' });
const pond = wrap<PondWorkerApi>(worker);

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');

mount(App, { target, props: { pond } });
