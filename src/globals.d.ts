/// <reference types="vite-plugin-pwa/client" />

/** The build's identity (vite.config.ts `define`): DUCKPOND_BUILD_ID, or the build time. */
declare const __DUCKPOND_BUILD__: string;
