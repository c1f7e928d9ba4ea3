import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/vite-plugin-svelte').SvelteConfig} */
export default {
  // TypeScript and <style lang=...> in components go through Vite's own transforms.
  preprocess: vitePreprocess(),
};
