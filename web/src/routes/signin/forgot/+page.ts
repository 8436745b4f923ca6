import { redirect } from '@sveltejs/kit';
import { session } from '$lib/session.svelte';

export async function load({ parent }) {
  await parent();
  if (session.user) redirect(307, '/account');
}
