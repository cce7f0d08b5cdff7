import { describe, expect, it } from "vitest";
import { readVerdict, textAfterTitle } from "../src/model/verdict";

describe("a verdict's text after its title", () => {
  it("drops the title the text repeats", () => {
    const v = readVerdict({ kind: "lost-update", ok: false, title: "Lost update",
      text: "lost update: P2's write of 3 overwrote P1's write of 2" })!;
    expect(textAfterTitle(v)).toBe("P2's write of 3 overwrote P1's write of 2");
  });

  it("keeps a text that does not begin with the title", () => {
    const v = readVerdict({ kind: "deadlock-cycle", ok: false, title: "Deadlock",
      text: "P1 holds a and waits for b; P2 holds b and waits for a." })!;
    expect(textAfterTitle(v)).toBe("P1 holds a and waits for b; P2 holds b and waits for a.");
  });
});
