import { createRequire as __charterCreateRequire } from 'node:module';
const require = __charterCreateRequire(import.meta.url);
process.setSourceMapsEnabled(true);
import{a as n}from"./chunk-J5CEGH6U.js";async function m(r,i,l){let t=new Array(r.length),a=0,e,h=n(async()=>{for(;!e&&a<r.length;){let o=a++;try{t[o]=await l(r[o])}catch(c){e??={error:c}}}},"worker");if(await Promise.all(Array.from({length:Math.min(Math.max(1,i),r.length)},h)),e)throw e.error;return t}n(m,"mapLimit");export{m as a};
//# sourceMappingURL=chunk-6LOIOJUE.js.map
