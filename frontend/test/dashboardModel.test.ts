import { describe, expect, it } from "vitest";
import type { Dashboard, Student } from "../src/classroom/classroomApi";
import { applySeats } from "../src/classroom/dashboardModel";

function student(id: number, name: string, more: Partial<Student> = {}): Student {
  return { id, name, connected: false, last_seen: null, joined: `2026-11-21T10:00:0${id}+00:00`, status: "idle",
    answers: {}, run: null, challenge: null, runs: 0, ...more };
}

function board(students: Student[]): Dashboard {
  return {
    role: "teacher", code: "ACEFGH", title: "t", open: true, join_url: "", screen_url: "", qr: "", students,
    activity: { id: 7, number: 1, mode: "predict", scenario: "s", spec: { nodes: [] } as never, challenge: null,
      question: { text: "?", choices: ["1", "2"] }, editing: "locked", vote: { number: 1, open: true }, revealed: [],
      tallies: [{ vote: 1, total: 0, counts: [] }], shift: [], exploration: null },
    outcomes: [], gallery: [], spotlight: null,
  };
}

describe("a seats delta on the teacher's dashboard", () => {
  it("replaces only the seats it names, in place", () => {
    const d = board([student(1, "Ann"), student(2, "Bob"), student(3, "Cy")]);
    const next = applySeats(d, { type: "seats", students: [student(2, "Bob", { connected: true, status: "running" })] });
    expect(next.students.map((s) => [s.name, s.status])).toEqual([["Ann", "idle"], ["Bob", "running"], ["Cy", "idle"]]);
    expect(next.students[0]).toBe(d.students[0]);
    expect(d.students[1].status).toBe("idle"); // the old dashboard is left as it was
    expect(next.outcomes).toBe(d.outcomes); // no summary: the class's parts stay
  });

  it("adds a seat it does not know, in joining order, and removes the removed", () => {
    const d = board([student(1, "Ann"), student(3, "Cy")]);
    const next = applySeats(d, { type: "seats", students: [student(4, "Di"), student(2, "Bob")], removed: [3] });
    expect(next.students.map((s) => s.name)).toEqual(["Ann", "Bob", "Di"]);
    expect(applySeats(next, { type: "seats", students: [], removed: [99] }).students.map((s) => s.id)).toEqual([1, 2, 4]);
  });

  it("never doubles a seat sent twice, nor brings back a removed one", () => {
    let d = board([student(1, "Ann")]);
    d = applySeats(d, { type: "seats", students: [student(2, "Bob")] });
    d = applySeats(d, { type: "seats", students: [student(2, "Bob", { status: "completed" })] });
    expect(d.students.map((s) => [s.id, s.status])).toEqual([[1, "idle"], [2, "completed"]]);
    d = applySeats(d, { type: "seats", students: [student(2, "Bob")], removed: [2] });
    expect(d.students.map((s) => s.id)).toEqual([1]);
  });

  it("takes the class's summary: outcomes, gallery, and the named activity's tallies", () => {
    const d = board([student(1, "Ann")]);
    const outcomes = [{ key: "k", label: "x = 3", count: 1 }];
    const gallery = [{ key: "k", label: "x = 3", status: "completed", count: 1, students: [1], runs: 1, run: "r" }];
    const tallies = [{ vote: 1, total: 1, counts: [{ answer: "1", count: 1 }] }];
    const next = applySeats(d, { type: "seats", students: [student(1, "Ann", { answers: { "1": "1" } })],
      summary: { outcomes, gallery, activity: { id: 7, tallies, shift: [], exploration: null } } });
    expect(next.outcomes).toEqual(outcomes);
    expect(next.gallery).toEqual(gallery);
    expect(next.activity?.tallies).toEqual(tallies);
    expect(next.activity?.question).toEqual(d.activity?.question);
    // A summary of another activity (the whole dashboard is on its way) leaves this one's tallies.
    const other = applySeats(d, { type: "seats", students: [], summary: { outcomes, gallery, activity: { id: 8, tallies, shift: [], exploration: null } } });
    expect(other.activity?.tallies).toEqual(d.activity?.tallies);
  });
});
