// The teacher's dashboard as the page holds it, and how a `seats` message (the dashboard
// socket's per-flush delta, README "Classroom") changes it. Pure: no DOM, no socket.
//
// A `dashboard` (or `state`) message replaces the whole of it. A `seats` message carries
// only the seats that changed since the last flush: each replaces the seat of the same id,
// or is added when the page does not know it yet (a student who just joined; the roster
// stays in joining order); each id in `removed` leaves. Its `summary`, when present,
// replaces the class's outcomes and witness gallery, and the tallies, shift and
// exploration of the activity it names.

import type { Dashboard, Student } from "./classroomApi";

type CurrentActivity = NonNullable<Dashboard["activity"]>;

export interface DashboardSummary {
  outcomes: Dashboard["outcomes"];
  gallery: Dashboard["gallery"];
  activity: ({ id: number } & Pick<CurrentActivity, "tallies" | "shift" | "exploration">) | null;
}

export interface SeatsMessage {
  type: "seats";
  students: Student[];
  removed?: number[];
  summary?: DashboardSummary;
}

/** The dashboard after a `seats` message (a new object; the one given is left as it was). */
export function applySeats(d: Dashboard, m: SeatsMessage): Dashboard {
  const gone = new Set(m.removed ?? []);
  const changed = new Map(m.students.map((s) => [s.id, s]));
  let added = false;
  const students = d.students.filter((s) => !gone.has(s.id)).map((s) => {
    const next = changed.get(s.id);
    changed.delete(s.id);
    return next ?? s;
  });
  for (const s of changed.values()) {
    if (gone.has(s.id)) continue;
    students.push(s);
    added = true;
  }
  if (added) students.sort(joiningOrder);
  const next: Dashboard = { ...d, students };
  const summary = m.summary;
  if (summary) {
    next.outcomes = summary.outcomes;
    next.gallery = summary.gallery;
    const a = d.activity;
    if (a && summary.activity && summary.activity.id === a.id) {
      next.activity = { ...a, tallies: summary.activity.tallies, shift: summary.activity.shift, exploration: summary.activity.exploration };
    }
  }
  return next;
}

/** The server's order of seats: by when they joined, then by id. */
function joiningOrder(a: Student, b: Student): number {
  const ta = a.joined ? Date.parse(a.joined) : 0;
  const tb = b.joined ? Date.parse(b.joined) : 0;
  return ta - tb || a.id - b.id;
}
