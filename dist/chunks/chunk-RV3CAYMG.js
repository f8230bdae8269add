import { createRequire as __charterCreateRequire } from 'node:module';
const require = __charterCreateRequire(import.meta.url);
import{c as i}from"./chunk-NTZONSCY.js";import{a as o}from"./chunk-7UYMMDKJ.js";function c(n){return n.some(e=>e.severity==="error")}o(c,"hasErrors");var t={error:0,warning:1,notice:2};function g(n){return[...n].sort((e,r)=>i(e.file,r.file)||e.line-r.line||e.column-r.column||t[e.severity]-t[r.severity]||i(e.code,r.code)||i(e.message,r.message))}o(g,"sortDiagnostics");export{c as a,g as b};
