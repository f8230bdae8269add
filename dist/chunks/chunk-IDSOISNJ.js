import { createRequire as __charterCreateRequire } from 'node:module';
const require = __charterCreateRequire(import.meta.url);
process.setSourceMapsEnabled(true);
import{a as t}from"./chunk-J5CEGH6U.js";import{createHash as i}from"node:crypto";function f(n){return JSON.stringify(o(n))}t(f,"canonicalJson");function o(n){if(Array.isArray(n))return n.map(o);if(n&&typeof n=="object"){let r=Object.create(null);for(let s of Object.keys(n).sort(c)){let e=n[s];e!==void 0&&(r[s]=o(e))}return r}return n}t(o,"sortKeys");function g(n){return i("sha256").update(n).digest("hex")}t(g,"sha256");function c(n,r){return n<r?-1:n>r?1:0}t(c,"compareStrings");export{f as a,g as b,c};
//# sourceMappingURL=chunk-IDSOISNJ.js.map
