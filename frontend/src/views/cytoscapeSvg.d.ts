// The method cytoscape-svg (libs.ts) adds to a graph.
import "cytoscape";

declare module "cytoscape" {
  interface Core {
    /** The graph as an SVG document (cytoscape-svg). */
    svg(options?: { full?: boolean; scale?: number; bg?: string }): string;
  }
}
