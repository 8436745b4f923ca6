import type { Room, RoomSanctions } from '@kindred/shared';
import { loadFromApi } from '$lib/page-data';
import { forAdmins } from '../../admin-only';

export async function load({ params, parent }) {
  const slug = encodeURIComponent(params.slug);
  const data = await forAdmins(parent, async () => {
    const [{ room }, sanctions] = await Promise.all([
      loadFromApi<{ room: Room }>(`/api/rooms/${slug}`),
      loadFromApi<RoomSanctions>(`/api/moderation/rooms/${slug}/sanctions`),
    ]);
    return { room, sanctions };
  });
  return { room: data?.room ?? null, sanctions: data?.sanctions ?? { mutes: [], removals: [] } };
}
