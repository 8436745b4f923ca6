import type { MemberDetail } from '@kindred/shared';
import { loadFromApi } from '$lib/page-data';
import { session } from '$lib/session.svelte';

export async function load({ params, parent }) {
  const { moderator, moderated } = await parent();
  if (!moderator || (!session.user?.isAdmin && moderated.length === 0)) return { member: null };
  const { member } = await loadFromApi<{ member: MemberDetail }>(`/api/members/${encodeURIComponent(params.username)}`);
  return { member };
}
