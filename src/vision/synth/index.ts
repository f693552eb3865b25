/** The clip synthesiser: ground-truth face clips (pose, blinks, mouth) and photo spoofs from a still portrait. */
export * from './script.js';
export * from './source.js';
export * from './synthesize.js';
export { delaunay } from './mesh.js';
export { ScenarioPerson, SCENARIOS, dim, type Scenario } from './scenario.js';
