// gpu.js as an ES module for the test pages: gpu.js ships its browser build as a UMD script (which
// sets globalThis.GPU); the pages' import map points the bare specifier 'gpu.js' here, as a
// bundler or an import map would in an application, so the engine's own import('gpu.js') works.
import '/node_modules/gpu.js/dist/gpu-browser.js';

export const GPU = globalThis.GPU;
export default { GPU };
