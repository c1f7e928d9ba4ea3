/** The one context of the app: components get the AppState from here, never through props chains. */
import { getContext, setContext } from 'svelte';
import type { AppState } from './state/app.svelte.ts';

const KEY = Symbol('duckpond.app');

/** Make `app` available to every component below the caller (App.svelte calls this once). */
export function setApp(app: AppState): void {
  setContext(KEY, app);
}

/** The AppState set by App.svelte. */
export function getApp(): AppState {
  const app = getContext<AppState | undefined>(KEY);
  if (!app) throw new Error('getApp() called outside <App>');
  return app;
}

/** Id of the hidden text saying why the pond is read-only: disabled actions point to it with aria-describedby. */
export const READ_ONLY_REASON_ID = 'read-only-reason';
