// Words for a moderator's own month: each kind of action, counted, in a plain sentence.
const labels: Record<string, [one: string, many: string]> = {
  hide: ['hid something once', 'hid something {n} times'],
  restore: ['restored something once', 'restored something {n} times'],
  mute: ['muted a member once', 'muted a member {n} times'],
  unmute: ['lifted a mute once', 'lifted a mute {n} times'],
  remove_from_room: ['removed a member from a room once', 'removed a member from a room {n} times'],
  readmit: ['let a member back into a room once', 'let a member back into a room {n} times'],
  ban: ['banned a member once', 'banned a member {n} times'],
  unban: ['lifted a ban once', 'lifted a ban {n} times'],
  set_slow_mode: ['changed slow mode once', 'changed slow mode {n} times'],
  lock_room: ['paused a room once', 'paused a room {n} times'],
  unlock_room: ['opened a room again once', 'opened a room again {n} times'],
  resolve_report: ['closed an item in the queue once', 'closed an item in the queue {n} times'],
  approve_story: ['shared a waiting story once', 'shared {n} waiting stories'],
  reject_story: ['declined a waiting story once', 'declined {n} waiting stories'],
  add_warnings: ['added a content note once', 'added content notes {n} times'],
};

export function actionCountLabel(action: string, count: number): string {
  const [one, many] = labels[action] ?? [
    `${action.replaceAll('_', ' ')} once`,
    `${action.replaceAll('_', ' ')} {n} times`,
  ];
  const text = count === 1 ? one : many.replace('{n}', String(count));
  return `You ${text}`;
}
