// Builds the whole Kindred app as one Fastify instance: the JSON API under /api, its OpenAPI document,
// and the built web app for every other path. main.ts only listens; tests build this same app.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import cookie from '@fastify/cookie';
import websocket from '@fastify/websocket';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { createDb, migrate, type DatabaseHandle } from '@kindred/db';
import Fastify, { type FastifyInstance } from 'fastify';
import { createBlockService } from './accounts/blocks.ts';
import { accountRoutes } from './accounts/routes.ts';
import { createAccountService } from './accounts/service.ts';
import { createErasureVacuum } from './accounts/vacuum.ts';
import { sessionCookie } from './auth/cookie.ts';
import { authPlugin } from './auth/plugin.ts';
import { createRecoveryService } from './auth/recovery.ts';
import { recoveryRoutes } from './auth/recovery-routes.ts';
import { authRoutes } from './auth/routes.ts';
import { deleteEndedSessions } from './auth/sessions.ts';
import { createAuthService } from './auth/service.ts';
import { careRoutes } from './care/routes.ts';
import { createCareService } from './care/service.ts';
import { careToolRoutes } from './care/tools-routes.ts';
import { createDutyCare } from './carers/duty.ts';
import { createHandoverNotes } from './carers/notes.ts';
import { carerRoutes } from './carers/routes.ts';
import { createBus } from './chat/bus.ts';
import { RoomFeeds } from './chat/feeds.ts';
import { closeSocketsForRestart, registerChatGateway } from './chat/gateway.ts';
import { chatRoutes } from './chat/routes.ts';
import { ChatWriter, containsLink } from './chat/writer.ts';
import { LimitCounters } from './limits/counters.ts';
import { BatchedLimit } from './limits/batched.ts';
import { registerLimits } from './limits/plugin.ts';
import { limitTable } from './limits/table.ts';
import type { Config } from './config.ts';
import { FRAME_MAX_BYTES } from '@kindred/shared';
import { assessCrisisRisk } from './moderation/crisis.ts';
import { createCrisisAnswer } from './moderation/crisis-answer.ts';
import { createHelplines } from './moderation/helplines.ts';
import { moderationRoutes } from './moderation/routes.ts';
import { createSanctionService } from './moderation/sanctions.ts';
import { createModerationService, type LiveEffects } from './moderation/service.ts';
import { createAppointmentService } from './members/appointments.ts';
import { createDirectoryService } from './members/directory.ts';
import { memberRoutes } from './members/routes.ts';
import { onDutyWhoMaySee } from './moderation/visibility.ts';
import { createLiveCounts } from './moderation/live-counts.ts';
import { ensureDefaultRooms } from './rooms/default-rooms.ts';
import { storyRoutes } from './stories/routes.ts';
import { createStoryService } from './stories/service.ts';
import { roomRoutes } from './rooms/routes.ts';
import { createPresence } from './reads/presence.ts';
import { liveRooms, readRoutes, tellDutyChanges } from './reads/routes.ts';
import { createReadService } from './reads/service.ts';
import { createRoomService } from './rooms/service.ts';
import { keepStaffRoom, resync as resyncStaffRoom } from './rooms/staff-room.ts';
import { healthRoutes } from './health/routes.ts';
import { Metrics } from './metrics/metrics.ts';
import { registerMetricsRoute } from './metrics/routes.ts';
import {
  answerClientError,
  apiNotFound,
  internalError,
  registerErrorHandlers,
  sendError,
  toApiError,
} from './plugins/errors.ts';
import { loggerOptions } from './plugins/logging.ts';
import { openApiInfo } from './plugins/openapi.ts';
import { originPolicy } from './plugins/origins.ts';
import { registerSecurity } from './plugins/security.ts';
import { installValidators } from './plugins/validation.ts';
import { loadWebApp, registerWebApp, sendIndexHtml, type WebApp } from './plugins/web.ts';

const FEED_CATCH_UP_MS = 5_000;
/** How often each instance deletes the sessions and sign-in counts that have ended. */
const SWEEP_MS = 60 * 60 * 1000;
export interface AppDependencies {
  /** An open, migrated database. Without one, the app opens (and later closes) the configured one. */
  database?: DatabaseHandle;
  /** The clock every rule about time reads; tests pass one they control. */
  now?: () => Date;
  /** Where logs go; stdout by default. Tests read them to prove what they never contain. */
  logStream?: NodeJS.WritableStream;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Emits 'ended' with session ids whenever sessions end, so live connections can close too. */
    sessionEvents: EventEmitter<{ ended: [sessionIds: string[]] }>;
  }
}

export async function buildApp(config: Config, deps: AppDependencies = {}): Promise<FastifyInstance> {
  const web: WebApp | undefined = config.webDir ? loadWebApp(config.webDir) : undefined;
  const ownsDatabase = !deps.database;
  const database = deps.database ?? (await openDatabase(config));

  const app = Fastify({
    logger: loggerOptions(config, deps.logStream),
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    trustProxy: trustedProxies(config.trustProxy),
    bodyLimit: 256 * 1024,
    // A request must arrive whole in time, so a client sending half a body cannot hold a connection (and
    // its memory) for minutes. A WebSocket leaves this lifecycle once upgraded: these never cut a socket.
    requestTimeout: config.requestTimeoutMs,
    http: {
      headersTimeout: config.headersTimeoutMs,
      // Node checks these timeouts on this interval (30 s by default, which would double them).
      connectionsCheckingInterval: Math.min(1000, config.headersTimeoutMs / 2),
    },
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    // Errors raised before routing (a malformed URL) take the same path as every other error.
    frameworkErrors: (error, _request, reply) => sendError(reply, toApiError(error) ?? internalError()),
    // And so do those Node's parser refuses before routing (an unknown method, headers too large).
    clientErrorHandler: answerClientError,
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  for (const warning of config.startupWarnings) app.log.warn(warning);

  // JSON only: a text/plain body is a 415, never a string that slips past a schema.
  app.removeContentTypeParser('text/plain');
  installValidators(app);
  registerErrorHandlers(app);
  const origins = originPolicy(config, app);
  await registerSecurity(app, {
    publicOrigin: config.publicOrigin,
    origins,
    scriptHashes: web?.scriptHashes ?? [],
    styleHashes: web?.styleHashes ?? [],
  });
  await app.register(swagger, { openapi: openApiInfo(config) });

  const now = deps.now ?? (() => new Date());
  const db = database.db;
  const sessionEvents = new EventEmitter<{ ended: [sessionIds: string[]] }>();
  app.decorate('sessionEvents', sessionEvents);

  // Metrics for the operator (off unless METRICS_TOKEN is set: the figures are kept, the route answers 404).
  const metrics: Metrics = new Metrics({
    openSockets: () => app.websocketServer?.clients.size ?? 0,
    roomsOnline: () => feeds.roomCount,
    queuedWrites: () => writer.queued,
  });
  registerMetricsRoute(app, metrics, config.metricsToken);

  // Chat: one writer (group commit), per-room feeds, and a bus between instances.
  const logError = (error: unknown) => app.log.error({ err: error }, 'chat delivery failed');
  const bus = createBus(database, logError);
  const feeds = new RoomFeeds(database.writerDb, logError, (roomId) => writer.committing(roomId));
  const writer: ChatWriter = new ChatWriter({
    db: database.writerDb,
    log: app.log,
    now,
    newMemberLinkWaitMs: config.newMemberLinkWaitHours * 60 * 60 * 1000,
    metrics,
    onCommitted: (ranges) => {
      for (const range of ranges) {
        if (range.complete) feeds.publish(range.roomId, range.events);
        else feeds.publishRanges([range]);
      }
      bus.publishRanges(ranges).catch(logError);
    },
  });
  const publishControl = (message: Parameters<typeof bus.publishControl>[0]) =>
    bus.publishControl(message).catch(logError);
  const onSessionsEnded = (ids: string[]) => {
    if (ids.length === 0) return;
    sessionEvents.emit('ended', ids);
    // A NOTIFY payload must stay under 8,000 bytes: 200 ids of 24 characters are about 5,600.
    for (let i = 0; i < ids.length; i += 200) {
      void publishControl({ type: 'sessions-ended', sessionIds: ids.slice(i, i + 200) });
    }
  };
  const onFilterChanged = (userId: string) => void publishControl({ type: 'viewer-filter-changed', userId });
  const helplines = createHelplines(config.helplines);
  const cookieSettings = sessionCookie(config.publicOrigin);
  const limits = new LimitCounters(db, (error) => app.log.error({ err: error }, 'deleting ended limit windows failed'));
  const limitsTable = limitTable(config);
  const auth = createAuthService({ db, now, limits, passwordLimit: limitsTable.password });
  const recovery = createRecoveryService({
    db,
    now,
    limits,
    recoveryLimit: limitsTable.recovery,
    publicOrigin: config.publicOrigin,
  });
  const erasureVacuum = createErasureVacuum(db, (error) =>
    app.log.error({ err: error }, 'vacuum after an account deletion failed'),
  );
  const accounts = createAccountService({
    db,
    auth,
    now,
    onRoomEvents: (ranges) => {
      feeds.publishCommitted(ranges);
      bus.publishRanges(ranges).catch(logError);
    },
    onErased: () => erasureVacuum.request(),
  });
  const rooms = createRoomService({ db, now });
  const appointments = createAppointmentService({ db, now });
  const sanctions = createSanctionService({ db, now });
  const moderation = createModerationService({ db, now });
  const applyEffects = (effects: LiveEffects) => {
    feeds.publishCommitted(effects.roomEvents);
    if (effects.roomEvents.length) bus.publishRanges(effects.roomEvents).catch(logError);
    onSessionsEnded(effects.endedSessions);
    for (const { roomId, userId } of effects.endedMemberships) {
      void publishControl({ type: 'membership-ended', roomId, userId });
    }
    for (const { userId, notice } of effects.notices) void publishControl({ type: 'user-notice', userId, notice });
    if (effects.queue.length) void publishControl({ type: 'queue-changed', roomIds: [...new Set(effects.queue)] });
    for (const { roomId, itemId } of effects.urgent) {
      onDutyWhoMaySee(db, itemId).then((moderatorIds) => {
        for (const userId of moderatorIds) {
          void publishControl({
            type: 'user-notice',
            userId,
            notice: { type: 'notice', code: 'urgent_item', roomId, itemId },
          });
        }
      }, logError);
    }
  };
  const counts = createLiveCounts({ db, moderation, now, onError: logError });
  await ensureDefaultRooms(db);
  const onStaffRoomLeft = (roomId: string, userId: string) =>
    void publishControl({ type: 'membership-ended', roomId, userId });
  await resyncStaffRoom(db, now(), onStaffRoomLeft);
  const duty = createDutyCare({ db, now, nudgeMinutes: config.dutyNudgeMinutes });

  await app.register(cookie);
  await app.register(websocket, { options: { maxPayload: FRAME_MAX_BYTES }, preClose: closeSocketsForRestart });
  await app.register(authPlugin, { db, cookie: cookieSettings, now });
  registerLimits(app, { limits, table: limitsTable, now });
  keepStaffRoom(app, { db, now, onRemoved: onStaffRoomLeft });

  await app.register(healthRoutes, { database });
  await app.register(authRoutes, {
    db,
    auth,
    cookie: cookieSettings,
    now,
    onSessionsEnded,
    newRecoveryCodes: recovery.newCodes,
  });
  await app.register(recoveryRoutes, { db, recovery, auth, cookie: cookieSettings, now, onSessionsEnded });
  await app.register(accountRoutes, {
    accounts,
    auth,
    cookie: cookieSettings,
    onSessionsEnded,
    blocks: createBlockService({ db, now }),
    onFilterChanged,
  });
  // Read positions and presence (reads/): each member's place in each room, and who is here now.
  const reads = createReadService({ db, now });
  const presence = createPresence({
    db,
    heartbeatMs: config.presenceHeartbeatSeconds * 1000,
    publish: (message) => void publishControl(message),
    onError: (error) => app.log.error({ err: error }, 'presence failed'),
  });
  await app.register(roomRoutes, {
    rooms,
    appointments,
    onMembershipEnded: (roomId, userId) => void publishControl({ type: 'membership-ended', roomId, userId }),
    live: liveRooms(reads, presence),
  });
  await app.register(readRoutes, { reads, rooms, presence, publish: (message) => void publishControl(message) });
  tellDutyChanges(app, rooms, (message) => void publishControl(message));
  await app.register(chatRoutes, { db, rooms });
  await app.register(moderationRoutes, {
    moderation,
    sanctions,
    applyEffects,
    onNoticesRead: (userId) => void publishControl({ type: 'notices-read', userId }),
    duty,
  });
  await app.register(carerRoutes, {
    db,
    now,
    rooms,
    notes: createHandoverNotes({ db, now }),
    duty,
    onHandedOver: (userId, roomId, itemId) =>
      void publishControl({
        type: 'user-notice',
        userId,
        notice: { type: 'notice', code: 'urgent_item', roomId, itemId },
      }),
  });
  await app.register(memberRoutes, { directory: createDirectoryService({ db, sanctions }) });
  await app.register(careRoutes, { helplines });
  const stories = createStoryService({
    db,
    now,
    newMemberWindowMs: config.newMemberLinkWaitHours * 60 * 60 * 1000,
    suggestsRisk: (text) => assessCrisisRisk(text).match,
    sandboxedLink: (createdAt, text) =>
      now().getTime() - createdAt.getTime() < config.newMemberLinkWaitHours * 60 * 60 * 1000 && containsLink(text),
    holdForReview: async (storyId, authorId, urgent) =>
      applyEffects(await moderation.holdStory(storyId, authorId, urgent)),
  });
  await app.register(storyRoutes, { stories, db, onFilterChanged, appointments });
  await app.register(careToolRoutes, {
    care: createCareService({ db, now }),
    stories,
    db,
  });
  const gateway = registerChatGateway(app, {
    db,
    rooms,
    feeds,
    limits,
    writer,
    origins,
    onRateLimited: (where) => metrics.rateLimited(where),
    messageLimitPerMinute: config.messageLimitPerMinute,
    // A twelfth of the limit a batch (5 of 60): one database write per five messages at most.
    sharedMessageLimit: new BatchedLimit(limits, limitsTable.messages, Math.floor(config.messageLimitPerMinute / 12)),
    now,
    counts,
    presence,
    // Words that suggest risk: the writer sees crisis lines at once, privately, and who will see it; the
    // room's moderators get an urgent item and, if on duty, a live notice. Nothing is removed.
    onWritten: createCrisisAnswer({ db, moderation, helplines, applyEffects, logError }),
  });
  await bus.start({
    onRemoteRanges: (ranges) => feeds.publishCommitted(ranges),
    onControl: (message) => {
      gateway.onControl(message);
      counts.onControl(message);
      presence.onControl(message);
    },
    onReconnect: () => feeds.catchUpAll(),
  });
  await presence.start();
  // With several instances a notification can be missed (a crash between a commit and its NOTIFY): every
  // few seconds each room with sockets here is brought up to what the database holds (one query).
  const catchUp =
    database.kind === 'postgres' ? setInterval(() => feeds.catchUpAll(), FEED_CATCH_UP_MS).unref() : undefined;
  // Housekeeping, at start (not waited for) and every hour, by each instance (the deletes are idempotent):
  // sessions that ended and were never presented again are deleted, and any socket still open on one of
  // them is closed; so are the sign-in counts of windows that have ended.
  let sweeping: Promise<unknown> = Promise.resolve();
  const sweep = () => {
    const at = now();
    sweeping = Promise.all([
      deleteEndedSessions(db, at).then(onSessionsEnded, (error: unknown) =>
        app.log.error({ err: error }, 'deleting ended sessions failed'),
      ),
      limits.sweep(at),
      resyncStaffRoom(db, at, onStaffRoomLeft).catch((error: unknown) =>
        app.log.error({ err: error }, 'keeping the moderators’ room failed'),
      ),
    ]);
  };
  sweep();
  const sweeps = setInterval(sweep, SWEEP_MS).unref();
  // Writes in flight are committed before the database closes.
  app.addHook('onClose', async () => {
    clearInterval(catchUp);
    clearInterval(sweeps);
    await sweeping;
    await erasureVacuum.idle();
    await counts.idle();
    await presence.close();
    await writer.close();
    await bus.close();
    metrics.close();
    if (ownsDatabase) await database.close();
  });
  app.get('/api/docs', { schema: { hide: true } }, async () => app.swagger());

  if (web) await registerWebApp(app, web);
  app.setNotFoundHandler((request, reply) => {
    const isPage = (request.method === 'GET' || request.method === 'HEAD') && !request.url.startsWith('/api');
    if (web && isPage) return sendIndexHtml(reply, web);
    return apiNotFound(reply);
  });

  return app;
}

/**
 * Fastify's trustProxy, from TRUST_PROXY. Fastify takes a list of addresses as it is, but treats a bare hop
 * count as "trust nothing" (a client that reaches Kindred directly could write that many hops itself), so a
 * count becomes the function Express and proxy-addr mean by it: the nearest `hops` addresses are proxies.
 */
function trustedProxies(trust: Config['trustProxy']): false | string[] | ((address: string, hop: number) => boolean) {
  if (typeof trust !== 'number') return trust;
  return (_address, hop) => hop < trust;
}

async function openDatabase(config: Config): Promise<DatabaseHandle> {
  const database = await createDb(
    config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: config.dataDir },
  );
  try {
    await migrate(database);
  } catch (error) {
    await database.close();
    throw error;
  }
  return database;
}
