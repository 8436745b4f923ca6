import type { MemberDetail } from '@kindred/shared';
import { loadFromApi } from '$lib/page-data';
import { forAdmins } from '../../admin-only';

export async function load({ params, parent }) {
  const data = await forAdmins(parent, () =>
    loadFromApi<{ member: MemberDetail }>(`/api/members/${encodeURIComponent(params.username)}`),
  );
  return { member: data?.member ?? null };
}
