// Playback of any run: a scrubber over every seq, one event back or forward,
// play and pause at a chosen speed, and "Live"/"End" to follow the run again.
// Owns its buttons; the app owns the cursor and the clock.

import { h } from "../views/dom";

export interface PlaybackActions {
  seek(seq: number | null): void; // null = follow the end (live)
  step(delta: number): void;
  toggle(): void; // play / pause
  speed(perSecond: number): void;
}

export interface PlaybackState {
  last: number; // events so far
  cursor: number | null; // null = following the end
  playing: boolean;
  speed: number;
  live: boolean; // the run is still going
  t: number | null; // seconds at the cursor
}

export const SPEEDS = [2, 10, 50, 250, 2000];

export class PlaybackControls {
  private readonly scrub = h("input", {
    type: "range", min: "0", max: "0", step: "1", value: "0", class: "pb-scrub", "data-testid": "playback-scrubber",
    "aria-label": "Moment of the run (event number)",
  }) as HTMLInputElement;
  private readonly play = h("button", { class: "btn small pb-play", "data-testid": "playback-play", title: "Play / pause (space)" }, "▶ Play");
  private readonly back = h("button", { class: "btn small", "data-testid": "playback-back", title: "One event back (← or Shift+←)" }, "◀");
  private readonly fwd = h("button", { class: "btn small", "data-testid": "playback-forward", title: "One event forward (→ or Shift+→)" }, "▶");
  private readonly start = h("button", { class: "btn small", "data-testid": "playback-start", title: "The beginning (Home)" }, "⇤");
  private readonly end = h("button", { class: "btn small", "data-testid": "playback-live", title: "Follow the run to its end (End)" }, "Live");
  private readonly speedSelect = h("select", { class: "pb-speed", "data-testid": "playback-speed", "aria-label": "Playback speed" },
    SPEEDS.map((s) => h("option", { value: String(s) }, `${s} ev/s`))) as HTMLSelectElement;
  private readonly position = h("span", { class: "pb-position", "data-testid": "playback-position" });
  private shown = "";

  constructor(root: HTMLElement, private readonly actions: PlaybackActions) {
    this.scrub.addEventListener("input", () => this.actions.seek(Number(this.scrub.value) >= Number(this.scrub.max) ? null : Number(this.scrub.value)));
    this.play.addEventListener("click", () => this.actions.toggle());
    this.back.addEventListener("click", () => this.actions.step(-1));
    this.fwd.addEventListener("click", () => this.actions.step(1));
    this.start.addEventListener("click", () => this.actions.seek(0));
    this.end.addEventListener("click", () => this.actions.seek(null));
    this.speedSelect.addEventListener("change", () => this.actions.speed(Number(this.speedSelect.value)));
    root.append(h("div", { class: "playback", "data-testid": "playback" },
      this.start, this.back, this.play, this.fwd, this.scrub, this.end, this.speedSelect, this.position));
  }

  render(s: PlaybackState): void {
    const key = JSON.stringify(s);
    if (key === this.shown) return;
    this.shown = key;
    const at = s.cursor ?? s.last;
    this.scrub.max = String(s.last);
    this.scrub.value = String(at);
    this.scrub.disabled = s.last === 0;
    this.play.textContent = s.playing ? "❚❚ Pause" : "▶ Play";
    this.play.setAttribute("aria-pressed", String(s.playing));
    this.play.disabled = s.last === 0;
    this.back.disabled = at <= 0;
    this.fwd.disabled = s.cursor === null;
    this.start.disabled = at <= 0;
    this.end.textContent = s.live ? "● Live" : "End ⇥";
    this.end.classList.toggle("on", s.cursor === null);
    this.end.disabled = s.cursor === null;
    this.speedSelect.value = String(s.speed);
    this.position.dataset.seq = String(at);
    this.position.dataset.following = String(s.cursor === null);
    this.position.textContent = s.last === 0 ? "no events yet"
      : `event ${at} of ${s.last}${s.t !== null ? ` · t = ${(s.t * 1000).toFixed(1)} ms` : ""}${s.cursor === null ? (s.live ? " · following" : " · the end") : ""}`;
  }
}
