// Sending a report: the one call every "Report" button makes, whatever it is about. The server joins a
// second report of the same thing to the open one, and never tells the person reported who it was.
import type { CreateReportBody, ReportReason } from '@kindred/shared';
import { api } from '$lib/api';

export type ReportTarget = CreateReportBody['target'];

export interface ReportDetails {
  reason: ReportReason;
  note?: string;
}

export async function sendReport(target: ReportTarget, details: ReportDetails, room?: string): Promise<void> {
  const note = details.note?.trim();
  await api.post('/api/reports', {
    target,
    reason: details.reason,
    ...(note ? { note } : {}),
    // Where it happened matters only for a report about a member; a message knows its own room.
    ...(target.type === 'user' && room ? { room } : {}),
  });
}

/** Reports a message in a room the reporter belongs to. */
export function reportMessage(messageId: string, details: ReportDetails): Promise<void> {
  return sendReport({ type: 'message', id: messageId }, details);
}

/** Reports a member, naming the room where it happened when there is one. */
export function reportMember(userId: string, details: ReportDetails, room?: string): Promise<void> {
  return sendReport({ type: 'user', id: userId }, details, room);
}
