import type { Bans, Room } from '@kindred/shared';
import { loadFromApi } from '$lib/page-data';
import { forAdmins } from './admin-only';

export async function load({ parent }) {
  const data = await forAdmins(parent, async () => {
    const [{ rooms }, { bans }] = await Promise.all([
      loadFromApi<{ rooms: Room[] }>('/api/rooms'),
      loadFromApi<Bans>('/api/moderation/bans'),
    ]);
    return { rooms, bans };
  });
  return { rooms: data?.rooms ?? null, bans: data?.bans ?? [] };
}
