import { describe, expect, it } from 'vitest';
import { REPLAY_EVENTS_AT_ONCE, SUBSCRIBES_AT_ONCE, replayAllowance, subscribeAllowance } from './budgets.ts';

describe('a socket’s subscribe allowance', () => {
  it('lets 60 through at once, then one a second, and says how long to wait', () => {
    const allowance = subscribeAllowance(0);
    for (let i = 0; i < SUBSCRIBES_AT_ONCE; i += 1) expect(allowance.take(1, 0)).toBe(0);
    expect(allowance.take(1, 0)).toBe(1);
    expect(allowance.take(1, 500)).toBe(1); // a refusal spends nothing
    expect(allowance.take(1, 1_000)).toBe(0);
    expect(allowance.take(1, 1_000)).toBe(1);
    expect(allowance.take(1, 120_000)).toBe(0);
  });
});

describe('a member’s replay allowance', () => {
  it('sends a reconnect’s replays at once and paces a flood at 1,000 events a second', () => {
    const allowance = replayAllowance(0);
    // A phone resuming 40 rooms with 125 missed events each: no wait.
    for (let room = 0; room < 40; room += 1) expect(allowance.reserve(125, 0)).toBe(0);
    expect(REPLAY_EVENTS_AT_ONCE).toBe(40 * 125);
    // Past that, every page waits its turn: pages reserved together queue one behind the other.
    expect(allowance.reserve(100, 0)).toBe(100);
    expect(allowance.reserve(100, 0)).toBe(200);
    expect(allowance.reserve(1_000, 0)).toBe(1_200);
    // In time the debt is paid, and after a quiet while the whole allowance is back.
    expect(allowance.reserve(0, 1_200)).toBe(0);
    expect(allowance.isFull(1_200)).toBe(false);
    expect(allowance.isFull(1_200 + REPLAY_EVENTS_AT_ONCE)).toBe(true);
  });
});
