// The parts of a playground.scenario/1 spec the page reads.

export interface ResourceSpec {
  name: string;
  type: string;
  value?: number;
  parties?: number;
  lock?: string;
}

export interface ThreadSpec {
  name: string;
  code: string;
}

export interface NodeSpec {
  id: string;
  role?: string;
  shared?: Record<string, unknown>;
  resources?: ResourceSpec[];
  setup?: string;
  threads: ThreadSpec[];
  x?: number;
  y?: number;
}

export interface LinkSpec {
  a: string;
  b: string;
  latency_ms?: number;
  jitter_ms?: number;
  loss?: number;
  duplicate?: number;
  reorder?: number;
}

export const LINK_SETTINGS = ["latency_ms", "jitter_ms", "loss", "duplicate", "reorder"] as const;
export type LinkSetting = (typeof LINK_SETTINGS)[number];

export interface ScenarioSpec {
  format?: string;
  slug: string;
  title: string;
  summary?: string;
  explanation?: string; // what happens and why: shown once the learner has run or checked
  tags?: string[];
  nodes: NodeSpec[];
  links?: LinkSpec[];
  faults?: Record<string, unknown>[];
  invariants?: string[];
  run?: { mode?: string; seed?: number; timeout_ms?: number; [k: string]: unknown };
}

export interface ScenarioSummary {
  slug: string;
  title: string;
  summary: string;
  tags: string[];
  builtin?: boolean;
  owner?: boolean; // saved by the signed-in person
  local?: boolean; // saved in this browser
}
