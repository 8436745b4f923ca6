// A static SPA: no server rendering, no prerendering. The API is the only owner of data and sessions.
import { session } from '$lib/session.svelte';

export const ssr = false;
export const prerender = false;

// Runs once, before the first page shows, so the nav and guarded pages know who is signed in.
export async function load(): Promise<void> {
  await session.load();
}
