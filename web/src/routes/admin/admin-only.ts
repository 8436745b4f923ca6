// Admin pages load their data only for admins: anyone else sees the layout's kind message, and asking the
// API on their behalf would only earn a refusal.
import { session } from '$lib/session.svelte';

export async function forAdmins<T>(parent: () => Promise<unknown>, loadData: () => Promise<T>): Promise<T | null> {
  await parent();
  return session.user?.isAdmin ? loadData() : null;
}
