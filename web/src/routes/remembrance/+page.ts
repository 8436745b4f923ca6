import type { Candle } from '$lib/care/care-words';
import { loadFromApi } from '$lib/page-data';

export async function load({ parent }) {
  await parent();
  return loadFromApi<{ candles: Candle[]; count: number }>('/api/remembrance');
}
