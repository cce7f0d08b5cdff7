// cytoscape-svg 0.4.0 ships no types: the extension, and the method it adds to a graph.
declare module "cytoscape-svg" {
  const extension: (cytoscape: unknown) => void;
  export default extension;
}
