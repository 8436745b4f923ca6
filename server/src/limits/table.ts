// Every limit Kindred keeps, in one table: what it protects, whose hits it counts, how many in what window,
// and what the person reads when they reach it. All are counted in the database (counters.ts), so they hold
// however many instances share it. A route names its limit in its `config.limit` (see plugin.ts).
//
// The creation limits are sized for a person on a hard day, not for a script: each is several times what
// one grieving member would do in its window, so nobody meets it by writing a lot, while a flood (250
// candles, a page of reports, a queue of stories) stops early. A refusal says what happened and that
// nothing already made is lost; the web app adds when to try again from Retry-After.
import type { Config } from '../config.ts';
import type { Limit } from './counters.ts';

const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * Whose hits a limit counts: the signed-in member's, the client address's, the session's (else the
 * address's), or a username's (counted by the auth service, which knows the username).
 */
export type LimitSubject = 'member' | 'address' | 'session' | 'username';

export interface KeptLimit extends Limit {
  per: LimitSubject;
}

/** The limits a member meets when creating things; tests may lower any of them (Config.limitOverrides). */
const creation = {
  // A candle is a moment of remembrance; a few a day is a lot. 250 from one member once filled the wall.
  candles: {
    max: 10,
    windowMs: DAY,
    message:
      'You’ve lit many candles today, so lighting more is paused for a while. Every candle you lit is still on the wall.',
  },
  // Each report reaches a moderator (an urgent one alerts whoever is on duty): 20 an hour is far past what
  // one member sees go wrong, and keeps one account from paging moderators all night.
  reports: {
    max: 20,
    windowMs: HOUR,
    message:
      'You’ve sent many reports in the last hour, so sending more reports is paused for a while. The ones you sent are with the moderators.',
  },
  // New stories, drafts included (and journal entries turned into drafts): a story takes a while to write,
  // and twenty a day is more than anyone writes, while a new account's flood of stories, each waiting for
  // a moderator, stops at twenty a day instead of sixty an hour. Sharing a draft needs no count of its own:
  // each draft was counted when it was made.
  stories: {
    max: 20,
    windowMs: DAY,
    message:
      'You’ve started many stories today, so starting more stories is paused for a while. Everything you wrote is kept.',
  },
  replies: {
    max: 60,
    windowMs: HOUR,
    message:
      'You’ve written many replies in the last hour, so replying is paused for a while. Your replies so far are kept.',
  },
  // Support reactions on stories, on and off: tapping through a page of stories stays well inside it.
  reactions: {
    max: 300,
    windowMs: HOUR,
    message:
      'You’ve sent many reactions in the last hour, so reactions are paused for a while. The ones you sent are kept.',
  },
  journal: {
    max: 100,
    windowMs: DAY,
    message:
      'You’ve written many journal entries today, so new entries are paused for a while. Everything in your journal is kept.',
  },
  dates: {
    max: 50,
    windowMs: DAY,
    message: 'You’ve added many dates today, so adding dates is paused for a while. The dates you kept are safe.',
  },
  // Only admins create rooms, but an admin's session can be stolen too.
  rooms: {
    max: 20,
    windowMs: DAY,
    message:
      'Many rooms were created from your account today, so creating rooms is paused for a while. The rooms you made are kept.',
  },
  // New recovery codes (each set replaces the last): a few a day is plenty, and each asks for the password.
  recoveryCodes: {
    max: 10,
    windowMs: DAY,
    message:
      'You’ve made new recovery codes many times today, so making more is paused for a while. Your newest codes still work.',
  },
  // Reset links an admin issues: each is the key to someone's account, so a stolen admin session cannot
  // hand out many.
  resetLinks: {
    max: 20,
    windowMs: DAY,
    message:
      'Many reset links were issued from your account today, so issuing more is paused for a while. The links already given still work.',
  },
  // Handover notes between a room's moderators: a few each stretch on duty is plenty.
  handoverNotes: {
    max: 30,
    windowMs: DAY,
    message:
      'You’ve left many handover notes today, so writing more is paused for a while. The notes you left are kept.',
  },
  // Read positions (PUT /api/rooms/:slug/read): the web app sends one at most every few seconds per room it
  // shows, so 240 a minute is many open tabs' worth, and keeps one member from turning it into a write flood.
  readPositions: {
    max: 240,
    windowMs: MINUTE,
    message: 'That was a lot of reading at once, so keeping your place is paused for a moment. Nothing is lost.',
  },
  // A moderator's own month and going on and off duty are read often by their screens: generous.
  moderatorCare: {
    max: 120,
    windowMs: MINUTE,
    message: 'That was a lot at once. Please wait a minute and try again.',
  },
} satisfies Record<string, Omit<Limit, 'name'>>;

export type CreationLimitName = keyof typeof creation;

export function limitTable(config: Config) {
  const overridden = Object.fromEntries(
    Object.entries(creation).map(([name, limit]) => [
      name,
      {
        name,
        per: 'member',
        ...limit,
        max: config.limitOverrides?.[name as CreationLimitName] ?? limit.max,
      } satisfies KeptLimit,
    ]),
  ) as Record<CreationLimitName, KeptLimit>;
  return {
    ...overridden,
    // The general ceiling on every request: per session when signed in, else per address.
    requests: {
      name: 'requests',
      per: 'session',
      max: config.requestLimitPerMinute,
      windowMs: MINUTE,
      message: 'That was a lot of requests at once. Please wait a little and try again.',
    },
    // Keyed by the address alone: a session cookie must not give the next account a fresh count.
    register: {
      name: 'register-address',
      per: 'address',
      max: config.registerLimitPerHour,
      windowMs: HOUR,
      message: 'Many accounts were made from here just now, so joining is paused for a while.',
    },
    signIn: {
      name: 'sign-in-address',
      per: 'address',
      max: config.loginLimitPer15Min,
      windowMs: 15 * MINUTE,
      message: 'There were many tries to sign in from here, so signing in is paused for a while to keep accounts safe.',
    },
    // "Forgot your password?" and reset links, per address: the same allowance as signing in.
    recoverAddress: {
      name: 'recovery-address',
      per: 'address',
      max: config.loginLimitPer15Min,
      windowMs: 15 * MINUTE,
      message:
        'There were many tries to get back into accounts from here, so this is paused for a while to keep accounts safe.',
    },
    // Recovery codes tried at one account from anywhere. Counted by the recovery service, not a route.
    recovery: {
      name: 'recovery-username',
      per: 'username',
      max: config.loginLimitPer15Min,
      windowMs: 15 * MINUTE,
      message:
        'There were many tries with recovery codes for this username, so it is paused for a while to keep it safe.',
    },
    // Chat writes (sends, edits, deletes, reactions) per member, across instances. Each instance also keeps
    // its own smooth allowance (chat/gateway.ts), so a burst is refused at once; this shared count is kept
    // in batches (batched.ts), so a chat message costs no extra database write of its own.
    messages: {
      name: 'chat-messages',
      per: 'member',
      max: config.messageLimitPerMinute,
      windowMs: MINUTE,
      message: 'That’s a lot of messages at once. Please wait a little — your message is kept.',
    },
    // The sanctions in force, read by moderators and admins: plenty for a screen, not for scraping who was
    // muted or removed where.
    sanctionReads: {
      name: 'moderation-sanction-reads',
      per: 'member',
      max: 60,
      windowMs: MINUTE,
      message: 'That was a lot of looking at once. Please wait a minute and try again.',
    },
    // The member directory (search and a member's page), read by admins and room moderators: a search as
    // one types costs a few a name, so 120 a minute is ample for a screen and slow for copying the directory.
    directoryReads: {
      name: 'member-directory-reads',
      per: 'member',
      max: 120,
      windowMs: MINUTE,
      message: 'That was a lot of searching at once. Please wait a minute and try again.',
    },
    // Password guesses at one account from anywhere: sign-in, and the current password that changing the
    // password or deleting the account asks for. Counted by the auth service, not a route.
    password: {
      name: 'sign-in-username',
      per: 'username',
      max: config.loginLimitPer15Min,
      windowMs: 15 * MINUTE,
      message: 'There were many tries to sign in with this username, so it is paused for a while to keep it safe.',
    },
  } satisfies Record<string, KeptLimit>;
}

export type LimitTable = ReturnType<typeof limitTable>;
export type LimitName = keyof LimitTable;
