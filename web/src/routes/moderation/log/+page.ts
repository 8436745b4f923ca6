import type { AuditEntry } from '@kindred/shared';
import { loadFromApi } from '$lib/page-data';

export async function load({ parent, url }) {
  const { moderator } = await parent();
  const room = url.searchParams.get('room') ?? '';
  if (!moderator) return { actions: [], room };
  const query = room ? `?room=${encodeURIComponent(room)}` : '';
  return { actions: (await loadFromApi<{ actions: AuditEntry[] }>(`/api/moderation/log${query}`)).actions, room };
}
