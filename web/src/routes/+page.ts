// Today, for the home page: the day's mantra, and (for a member) their hard dates that fall today in
// their own time zone. The home page must always draw, so a failed answer leaves it out quietly.
import { api } from '$lib/api';
import type { HardDate } from '@kindred/shared';

export async function load({ parent }) {
  await parent();
  try {
    return { today: await api.get<{ date: string; mantra: string; hardDates: HardDate[] }>('/api/care/today') };
  } catch {
    return { today: null };
  }
}
