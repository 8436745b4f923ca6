import type { Candle } from '@kindred/shared';
import { loadFromApi } from '$lib/page-data';

export async function load({ parent }) {
  await parent();
  return loadFromApi<{ candles: Candle[]; count: number }>('/api/remembrance');
}
