import { afterEach, describe, expect, it } from "vitest";
import { BUILTIN_FORMATS, chooseFormats, looksLikeTrace, readExportList, traceFileName } from "../src/model/exports";
import { exportFormats, forgetExportFormats } from "../src/transport/exportFormats";

const serverList = [
  { format: "jsonl", title: "JSON Lines", extension: "jsonl", content_type: "application/x-ndjson", opens_with: "jq" },
  { format: "perfetto", title: "Perfetto", extension: "perfetto.json", content_type: "application/json", opens_with: "ui.perfetto.dev" },
];

describe("the download menu's formats", () => {
  afterEach(() => forgetExportFormats());

  it("uses the server's list when GET /api/exports answers with one", async () => {
    const { formats, fromServer } = await exportFormats(async () => serverList);
    expect(fromServer).toBe(true);
    expect(formats.map((f) => f.format)).toEqual(["jsonl", "perfetto"]);
    expect(formats[1].opens_with).toBe("ui.perfetto.dev");
  });

  it("falls back on the built-in list when the server has none (404) or answers nonsense", async () => {
    const failed = await exportFormats(async () => {
      throw new Error("HTTP 404");
    });
    expect(failed).toEqual({ formats: BUILTIN_FORMATS, fromServer: false });
    expect(chooseFormats({ detail: "Not Found" }).fromServer).toBe(false);
    expect(chooseFormats([]).fromServer).toBe(false);
    expect(chooseFormats([{ title: "no format" }]).fromServer).toBe(false);
    expect(chooseFormats([{ format: "../../etc" }]).fromServer).toBe(false);
  });

  it("asks the server once per page", async () => {
    let asked = 0;
    const get = async () => {
      asked += 1;
      return serverList;
    };
    await exportFormats(get);
    await exportFormats(get);
    expect(asked).toBe(1);
  });

  it("built-in list: every format the server exports, each saying which tool opens it", () => {
    expect(BUILTIN_FORMATS.map((f) => f.format)).toEqual(["jsonl", "chrome", "shiviz", "mermaid", "plantuml"]);
    for (const f of BUILTIN_FORMATS) {
      expect(f.opens_with.length).toBeGreaterThan(10);
      expect(readExportList([f])).toEqual([f]); // the same shape as the server's
    }
  });

  it("fills in what a server entry leaves out", () => {
    expect(readExportList([{ format: "mermaid" }])).toEqual([
      { format: "mermaid", title: "mermaid", extension: "mermaid", content_type: "", opens_with: "" },
    ]);
    expect(readExportList([{ format: "x", extension: ".puml" }])?.[0].extension).toBe("puml");
  });

  it("names files after the run", () => {
    expect(traceFileName("3f1c2a9e-1111-2222", { extension: "chrome.json" })).toBe("run-3f1c2a9e.chrome.json");
    expect(traceFileName(42, { extension: "jsonl" })).toBe("run-42.jsonl");
  });

  it("tells a trace from a scenario file", () => {
    expect(looksLikeTrace("run.jsonl", "")).toBe(true);
    expect(looksLikeTrace("run.NDJSON", "")).toBe(true);
    expect(looksLikeTrace("x", "application/x-ndjson")).toBe(true);
    expect(looksLikeTrace("scenario.json", "application/json")).toBe(false);
  });
});
