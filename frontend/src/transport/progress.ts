// The learner's progress through the course: in this browser for everyone
// (localStorage), and on the server for a signed-in person, the two merged on
// sign-in (PUT /api/progress answers with everything kept) so nothing earned
// as a visitor is lost. A pass is never undone (model/curriculum.ts).

import { fromItems, merge, record, toItems, type Progress, type ProgressState } from "../model/curriculum";
import { api } from "./api";

const KEY = "playground.progress";

function readLocal(): Progress {
  try {
    const raw = localStorage.getItem(KEY);
    const parsed = raw ? (JSON.parse(raw) as unknown) : {};
    return parsed && typeof parsed === "object" ? fromItems(toItems(parsed as Progress)) : {};
  } catch {
    return {};
  }
}

function writeLocal(p: Progress): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(p));
  } catch {
    // storage full or refused: progress lives for this page only
  }
}

export class ProgressStore {
  progress: Progress = readLocal();
  private signedIn = false;

  constructor(private readonly changed: () => void) {}

  /** Signed in: the browser's progress goes to the account and the account's comes back. */
  async sync(signedIn: boolean): Promise<void> {
    this.signedIn = signedIn;
    if (!signedIn) return;
    try {
      const local = toItems(this.progress);
      const kept = local.length ? await api.mergeProgress(local) : await api.progress();
      this.progress = merge(this.progress, fromItems(kept.items));
      writeLocal(this.progress);
      this.changed();
    } catch {
      // the server keeps no progress (an older one) or is away: the browser's stays
    }
  }

  /** A check's result. The server records a signed-in person's checks itself; the browser keeps everyone's. */
  record(slug: string, challenge: string, state: ProgressState): void {
    this.progress = record(this.progress, slug, challenge, state);
    writeLocal(this.progress);
    this.changed();
  }

  get accountKeeps(): boolean {
    return this.signedIn;
  }
}
