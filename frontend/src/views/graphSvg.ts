// The cytoscape-svg extension (cy.svg()), in a chunk of its own fetched when a
// graph is first saved as SVG (libs.ts). Its own module, so the build names the
// chunk after it and the page-weight test tells it from cytoscape.js itself.
export { default } from "cytoscape-svg";
