import { describe, expect, it } from "vitest";
import { markdownToHtml } from "../src/views/markdown";

describe("markdownToHtml", () => {
  it("keeps paragraphs and inline marks", () => {
    expect(markdownToHtml("a `x` **b**\nc *d*\n\nnext")).toBe("<p>a <code>x</code> <strong>b</strong> c <em>d</em></p><p>next</p>");
  });
  it("renders bulleted lists, an item running on over several lines", () => {
    expect(markdownToHtml("Two cases:\n\n- one\n  goes on\n- two")).toBe("<p>Two cases:</p><ul><li>one goes on</li><li>two</li></ul>");
  });
  it("renders a numbered list after a paragraph in the same block", () => {
    expect(markdownToHtml("Steps:\n1. read\n2. write")).toBe("<p>Steps:</p><ol><li>read</li><li>write</li></ol>");
  });
  it("does not take bold at a line's start for a bullet", () => {
    expect(markdownToHtml("**P1** goes")).toBe("<p><strong>P1</strong> goes</p>");
  });
  it("escapes HTML", () => {
    expect(markdownToHtml("- <b>x</b>")).toBe("<ul><li>&lt;b&gt;x&lt;/b&gt;</li></ul>");
  });
});
