import { createRequire as __charterCreateRequire } from 'node:module';
const require = __charterCreateRequire(import.meta.url);
process.setSourceMapsEnabled(true);
import{a as l}from"./chunk-J5CEGH6U.js";var s=l(e=>new Promise(t=>setTimeout(t,e)),"sleep");async function m(e,t,a,r,i={}){let o=i.deadline??Date.now()+a.waitTimeoutMs,n="first"in i?i.first:await e();for(;;){if(t(n))return n;if(Date.now()>o)throw r(n);await s(a.pollIntervalMs),n=await e()}}l(m,"pollUntil");function M(e,t,a){let r=Math.max(t.pollIntervalMs,1),i=t.typicalMs?Math.max(r,t.typicalMs/20):r,o=t.typicalMs?Math.max(i,t.typicalMs/10):r*4,n=(a??Date.now()+t.waitTimeoutMs)-Date.now();return{client:e,minDelay:i/1e3,maxDelay:o/1e3,maxWaitTime:Math.max(n/1e3,i/1e3*2)}}l(M,"waiterSettings");function u(e,t){let a=e.typicalWaitMs?.[t];return{pollIntervalMs:e.pollIntervalMs,waitTimeoutMs:e.waitTimeoutMs,...a?{typicalMs:a}:{}}}l(u,"waitsFor");export{s as a,m as b,M as c,u as d};
//# sourceMappingURL=chunk-VEMELT75.js.map
