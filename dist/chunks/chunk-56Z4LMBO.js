import { createRequire as __charterCreateRequire } from 'node:module';
const require = __charterCreateRequire(import.meta.url);
process.setSourceMapsEnabled(true);
import{a as o}from"./chunk-J5CEGH6U.js";function c(t,n){let e=t;for(let s of[...n].filter(r=>r.length>=3).sort((r,i)=>i.length-r.length))e=e.split(s).join("***");return e}o(c,"redact");function l(t){let n=[t];try{let e=new URL(t);e.password&&n.push(e.password,decodeURIComponent(e.password))}catch{}return n}o(l,"urlSecrets");export{c as a,l as b};
//# sourceMappingURL=chunk-56Z4LMBO.js.map
