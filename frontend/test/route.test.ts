import { describe, expect, it } from "vitest";
import { formatRoute, parseRoute } from "../src/app/route";

describe("route", () => {
  it("round-trips a lesson and a run", () => {
    const r = { scenario: "bank-withdraw-lock", run: "42" };
    expect(formatRoute(r)).toBe("#/bank-withdraw-lock/runs/42");
    expect(parseRoute(formatRoute(r))).toEqual(r);
  });

  it("reads an empty or partial hash", () => {
    expect(parseRoute("")).toEqual({ scenario: null, run: null });
    expect(parseRoute("#/deadlock-two-locks")).toEqual({ scenario: "deadlock-two-locks", run: null });
    expect(parseRoute("#/x/other/3")).toEqual({ scenario: "x", run: null });
  });
});

describe("route of a run without a scenario", () => {
  it("round-trips #/runs/<id>", () => {
    const r = { scenario: null, run: "abc" };
    expect(formatRoute(r)).toBe("#/runs/abc");
    expect(parseRoute("#/runs/abc")).toEqual(r);
  });
});
