// Drives the playback clock (model/playback) from the page: the playback
// bar's buttons, the step-by-step timeline, the keyboard, and one animation
// frame after another while playing. Everything it decides, the clock does.

import { SPEEDS, type PlaybackActions } from "../controls/playbackControls";
import { keyCommand, PlaybackClock } from "../model/playback";
import { stepMarks } from "../model/stepping";
import type { RunSession } from "./runSession";

export interface PlaybackHost {
  session(): RunSession | null;
  stepsShown(): boolean; // the step-by-step timeline is on the page
  changed(): void; // the moment shown moved: draw it
}

// "Watch it again": events per second (one of the playback bar's speeds).
const WATCH_SPEED = SPEEDS[1];

// Where the keys belong to what has focus (a button keeps ←/→ for playback).
const EDITABLE = "input, textarea, select, button, [contenteditable], .cm-editor";

export class PlaybackController implements PlaybackActions {
  readonly clock = new PlaybackClock(SPEEDS[1]);

  constructor(private readonly host: PlaybackHost) {
    document.addEventListener("keydown", (e) => this.onKey(e));
  }

  seek(seq: number | null): void {
    const s = this.host.session();
    if (!s) return;
    this.clock.seek(seq, played(s));
    this.host.changed();
  }

  step(delta: number): void {
    const s = this.host.session();
    if (!s) return;
    this.clock.step(delta, played(s));
    this.host.changed();
  }

  /** Moves to step `position` of a finished controlled run. */
  go(position: number): void {
    const s = this.host.session();
    if (!s) return;
    this.clock.go(position, stepMarks(s.model.events), played(s));
    this.host.changed();
  }

  toggle(): void {
    const s = this.host.session();
    if (!s || !this.clock.toggle(played(s), performance.now())) return;
    if (this.clock.playing) requestAnimationFrame((t) => this.tick(t));
    this.host.changed();
  }

  speed(perSecond: number): void {
    this.clock.speed = perSecond;
    this.host.changed();
  }

  /** The run again from its first event, played at a speed one can follow. */
  watchAgain(perSecond = WATCH_SPEED): void {
    const s = this.host.session();
    if (!s || !s.model.lastSeq) return;
    this.clock.speed = perSecond;
    this.clock.seek(0, played(s));
    if (!this.clock.playing) this.toggle();
    else this.host.changed();
  }

  private tick(now: number): void {
    const s = this.host.session();
    if (!s || !this.clock.playing || this.clock.cursor === null) return;
    if (this.clock.tick(now, played(s))) this.host.changed();
    if (this.clock.playing) requestAnimationFrame((t) => this.tick(t));
  }

  private onKey(e: KeyboardEvent): void {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const target = e.target as HTMLElement | null;
    if (target?.closest(EDITABLE)) {
      if (e.key !== "ArrowLeft" && e.key !== "ArrowRight" || !target.closest("button")) return;
    }
    const s = this.host.session();
    if (!s || !s.model.lastSeq) return;
    const command = keyCommand(e.key, e.shiftKey, this.host.stepsShown());
    if (!command) return;
    if (command.kind === "step") this.go(this.clock.position(stepMarks(s.model.events)) + command.delta);
    else if (command.kind === "event") this.step(command.delta);
    else if (command.kind === "toggle") this.toggle();
    else this.seek(command.seq);
    e.preventDefault();
  }
}

function played(s: RunSession): { lastSeq: number; finished: boolean } {
  return { lastSeq: s.model.lastSeq, finished: s.finished };
}
