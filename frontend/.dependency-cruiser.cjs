// The frontend's layers (`npm run depcruise`, part of `make frontend-test`):
// model is pure (no view, control, transport, app or DOM library), views draw and
// never reach into the app, and nothing imports in a circle.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "A circle of imports: two modules that cannot be understood (or tested) one without the other.",
      from: {},
      to: { circular: true },
    },
    {
      name: "model-is-pure",
      severity: "error",
      comment: "model/ is pure TypeScript, unit-tested without a browser: no views, controls, transport or app, and no DOM library.",
      from: { path: "^src/model/" },
      to: { path: ["^src/(views|controls|transport|app)/", "^src/styles/", "(^|/)node_modules/(cytoscape|codemirror|@codemirror|@lezer)/"] },
    },
    {
      name: "views-do-not-import-the-app",
      severity: "error",
      comment: "Views draw what they are given and report through callbacks; the app wires them, never the other way round.",
      from: { path: "^src/views/" },
      to: { path: "^src/app/" },
    },
    {
      name: "not-to-unresolvable",
      severity: "error",
      comment: "An import that resolves to no file.",
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    parser: "swc", // TypeScript 7 has no JavaScript API; swc parses the sources
    tsPreCompilationDeps: true, // type-only imports count too
    doNotFollow: { path: "node_modules" },
    exclude: { path: "\\.d\\.ts$" },
    enhancedResolveOptions: { extensions: [".ts", ".js"] },
  },
};
