/**
 * Attendance: who was seen, from when to when, in how many frames. A track counts toward the
 * identity it was decided as when it ends (a person, or a stranger id); tracks that never got a
 * decision (too short, or no face good enough) are left out.
 */
export interface AttendanceRow {
  /** the person's name, or the stranger id */
  person: string;
  /** gallery person id, or the stranger id */
  personId: string;
  kind: 'person' | 'stranger';
  /** stream seconds */
  firstSeen: number;
  lastSeen: number;
  firstSeenAt: string;
  lastSeenAt: string;
  frames: number;
  tracks: number;
}

export class Attendance {
  private rows = new Map<string, AttendanceRow>();

  add(entry: { personId: string; person: string; kind: AttendanceRow['kind']; firstSeen: number; lastSeen: number; firstSeenAt: string; lastSeenAt: string; frames: number }): void {
    const r = this.rows.get(entry.personId);
    if (!r) {
      this.rows.set(entry.personId, { ...entry, tracks: 1 });
      return;
    }
    if (entry.firstSeen < r.firstSeen) {
      r.firstSeen = entry.firstSeen;
      r.firstSeenAt = entry.firstSeenAt;
    }
    if (entry.lastSeen > r.lastSeen) {
      r.lastSeen = entry.lastSeen;
      r.lastSeenAt = entry.lastSeenAt;
    }
    r.frames += entry.frames;
    r.tracks += 1;
  }

  list(): AttendanceRow[] {
    return [...this.rows.values()].sort((a, b) => a.firstSeen - b.firstSeen || a.person.localeCompare(b.person));
  }
}

const csvField = (v: string | number): string => {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export const ATTENDANCE_COLUMNS = ['person', 'person_id', 'kind', 'first_seen', 'last_seen', 'frames_seen', 'first_seen_at', 'last_seen_at'] as const;

/** first_seen / last_seen are stream seconds (the position in a file); *_at are wall-clock ISO times */
export function attendanceCsv(rows: readonly AttendanceRow[]): string {
  const lines = [ATTENDANCE_COLUMNS.join(',')];
  for (const r of rows) {
    lines.push([r.person, r.personId, r.kind, r.firstSeen.toFixed(2), r.lastSeen.toFixed(2), r.frames, r.firstSeenAt, r.lastSeenAt].map(csvField).join(','));
  }
  return `${lines.join('\n')}\n`;
}
