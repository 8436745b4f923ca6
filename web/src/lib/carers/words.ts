// Words for the carers' tools: how long a stretch on duty was, said plainly, and what stepping away did.
import type { StepAwayResult } from '@kindred/shared';

const small = ['no', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve'];

function count(n: number, one: string, many: string): string {
  return `${small[n] ?? n} ${n === 1 ? one : many}`;
}

/** "two hours", "45 minutes", "an hour and a half" style: whole hours and minutes, in words where short. */
export function durationText(minutes: number): string {
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours === 0) return count(rest, 'minute', 'minutes');
  const h = hours === 1 ? 'an hour' : count(hours, 'hour', 'hours');
  if (rest === 0) return h;
  if (rest === 30) return `${h} and a half`;
  return `${h} and ${count(rest, 'minute', 'minutes')}`;
}

export function nudgeText(minutes: number): string {
  return `You've been here for ${durationText(minutes)}. Thank you. It's fine to rest; others can take it from here — when you step away, anything urgent in this room is passed on.`;
}

export function stepAwayText(result: StepAwayResult): string {
  if (result.handedTo === 'none')
    return "You're off duty, and nothing urgent was waiting. Thank you for your time here.";
  const items = count(result.urgentItems, 'urgent item', 'urgent items');
  if (result.handedTo === 'moderators') {
    const who = result.recipients === 1 ? 'the moderator still on duty' : 'the moderators still on duty';
    return `You're off duty. We passed ${items} to ${who}. Thank you for your time here.`;
  }
  return `You're off duty. No other moderator is on duty here, so we passed ${items} to the admins. Thank you for your time here.`;
}
