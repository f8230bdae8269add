import { createRequire as __charterCreateRequire } from 'node:module';
const require = __charterCreateRequire(import.meta.url);
process.setSourceMapsEnabled(true);
var{run:a}=await import("./chunks/run-I3YQ2CO7.js");await a();
//# sourceMappingURL=index.js.map
