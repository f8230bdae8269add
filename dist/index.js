import { createRequire as __charterCreateRequire } from 'node:module';
const require = __charterCreateRequire(import.meta.url);
process.setSourceMapsEnabled(true);
var{run:a}=await import("./chunks/run-TE7DBAGL.js");await a();
//# sourceMappingURL=index.js.map
