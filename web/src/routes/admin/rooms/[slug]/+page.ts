import type { Room } from '@kindred/shared';
import { loadFromApi } from '$lib/page-data';
import { forAdmins } from '../../admin-only';

export async function load({ params, parent }) {
  const path = `/api/rooms/${encodeURIComponent(params.slug)}`;
  return { room: await forAdmins(parent, async () => (await loadFromApi<{ room: Room }>(path)).room) };
}
