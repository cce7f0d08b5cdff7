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
}

export interface ScenarioSpec {
  format?: string;
  slug: string;
  title: string;
  summary?: string;
  tags?: string[];
  nodes: NodeSpec[];
  links?: unknown[];
  run?: { mode?: string; seed?: number; timeout_ms?: number };
}

export interface ScenarioSummary {
  slug: string;
  title: string;
  summary: string;
  tags: string[];
}
