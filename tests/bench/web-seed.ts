// What `npm run bench:web` measures on: an admin (made by the operator's CLI, as in production), a member
// with a room of 200 messages and a shared story, all set up through the API as a client would.
import { api, ChatSocket, joinRoom, registerMember, runTag, type Member } from '../support/chat.ts';

export const ADMIN = { username: 'bench_admin', password: `bench admin lanterns ${runTag()}` };
const MESSAGES = 200;

export interface Seeded {
  member: Member;
  roomSlug: string;
  storyId: string;
}

async function json<T>(response: Response, what: string): Promise<T> {
  if (!response.ok) throw new Error(`${what}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

async function login(baseUrl: string, username: string, password: string): Promise<Member> {
  const response = await api(baseUrl, '/api/auth/login', { body: { username, password } });
  const { user } = await json<{ user: { id: string } }>(response, `signing in ${username}`);
  const cookie = response.headers
    .getSetCookie()
    .map((header) => /^(kindred_session=[^;]+)/.exec(header)?.[1])
    .find((value) => value !== undefined);
  if (!cookie) throw new Error(`signing in ${username}: no session cookie`);
  return { username, id: user.id, cookie };
}

/** Two members talk in the first room (200 messages, alternating, acknowledged one by one); one shares a story. */
export async function seed(baseUrl: string): Promise<Seeded> {
  const tag = runTag();
  const member = await registerMember(baseUrl, `bench_member_${tag}`);
  const friend = await registerMember(baseUrl, `bench_friend_${tag}`);
  const { rooms } = await json<{ rooms: { slug: string; contentNote: string | null }[] }>(
    await api(baseUrl, '/api/rooms', { member }),
    'listing rooms',
  );
  const room = rooms.find((candidate) => candidate.contentNote === null) ?? rooms[0];
  if (!room) throw new Error('no room to seed');
  await joinRoom(baseUrl, member, room.slug);
  await joinRoom(baseUrl, friend, room.slug);

  const sockets = await Promise.all([member, friend].map((who) => ChatSocket.connect(baseUrl, who)));
  try {
    for (let i = 0; i < MESSAGES; i += 1) {
      const socket = sockets[i % 2]!;
      const clientId = `bench-${tag}-${i}`;
      const from = socket.frames.length;
      socket.send({
        type: 'send',
        room: room.slug,
        clientId,
        body: `Message ${i + 1}: some evenings are harder than others, and it helps to say so here with people who understand.`,
      });
      const answer = await socket.next(
        (frame) =>
          (frame.type === 'ack' && frame.clientId === clientId) || (frame.type === 'error' && frame.ref === clientId),
        10_000,
        from,
      );
      if (answer.type !== 'ack') throw new Error(`message ${i + 1} refused: ${JSON.stringify(answer)}`);
    }
  } finally {
    for (const socket of sockets) socket.close();
  }

  const paragraph =
    'We found out at the twelve-week scan. The room went quiet and nobody said anything for what felt like a ' +
    'long time. Afterwards I went back to work as if nothing had happened, and nobody there knew.';
  const { story } = await json<{ story: { id: string; status: string } }>(
    await api(baseUrl, '/api/stories', {
      member,
      body: {
        title: 'The quiet after the scan',
        body: Array.from({ length: 6 }, () => paragraph).join('\n\n'),
        tags: ['mothers_story'],
        contentWarnings: [],
        anonymous: false,
      },
    }),
    'sharing a story',
  );
  if (story.status === 'pending') {
    const admin = await login(baseUrl, ADMIN.username, ADMIN.password);
    await json(
      await api(baseUrl, '/api/moderation/actions', {
        member: admin,
        body: { action: 'approve_story', target: { type: 'story', id: story.id }, reason: 'Welcome.' },
      }),
      'approving the story',
    );
  }
  return { member, roomSlug: room.slug, storyId: story.id };
}
