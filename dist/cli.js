#!/usr/bin/env node
import { createRequire as __charterCreateRequire } from 'node:module';
const require = __charterCreateRequire(import.meta.url);
import{a as m,i as v,j as P,k as N,l as w,m as T,n as $,r as p}from"./chunks/chunk-7VKWFXCU.js";import"./chunks/chunk-MJKHDZLD.js";import"./chunks/chunk-U7WZLHV7.js";import{g as k,h as g,j as S,k as R,m as A}from"./chunks/chunk-RTUTXO5S.js";import"./chunks/chunk-ZMEO75W6.js";import"./chunks/chunk-BVODBSRB.js";import"./chunks/chunk-RV3CAYMG.js";import"./chunks/chunk-5AB6TF3J.js";import"./chunks/chunk-NTZONSCY.js";import"./chunks/chunk-YGPMZP3I.js";import{a as d}from"./chunks/chunk-7UYMMDKJ.js";import{readFile as I,writeFile as b}from"node:fs/promises";import{parseArgs as D}from"node:util";var a={ok:0,failure:1,changes:2},C={out:d(r=>process.stdout.write(r.endsWith(`
`)?r:`${r}
`),"out"),err:d(r=>process.stderr.write(r.endsWith(`
`)?r:`${r}
`),"err")};function q(r,t){return{debug:d(e=>{(t||process.env.CHARTER_DEBUG)&&r.err(`debug: ${e}`)},"debug"),info:d(e=>r.err(e),"info"),warn:d(e=>r.err(`warning: ${e}`),"warn")}}d(q,"logger");async function f(r,t){let e=process.env.CHARTER_AWS_ENDPOINT;if(!r.sandbox)return t(e?{endpoint:e}:{});let{startSandbox:i}=await import("./chunks/sandbox-LBLYW2IO.js"),l=await i({stateFile:r.sandbox,persist:!0});try{return await t({endpoint:l.endpoint})}finally{await l.save(),await l.close()}}d(f,"withAws");var H=`Usage: charter <command> [paths...] [options]

Policy-as-code for the AWS things teams still wire by hand. Policy kinds: ${p.map(r=>r.kind).join(", ")}.
Paths are policy files, directories or globs (default: policies/).

Commands:
  validate [paths...]   check policies against their schemas and rules (no AWS access)
  plan [paths...]       compare policies with live AWS and print the changes apply would make
  apply [paths...]      apply the plan (with --plan, only if it still has the saved fingerprint)
  drift [paths...]      report differences between policies and live AWS (exit 2 when there is drift)
  verify [paths...]     check what the internet sees for EmailSecurity policies: DNS records, MX and the
                        MTA-STS policy and BIMI files over HTTPS (exit 2 when live differs; docs/verify.md)
  import <file>         read a live database and fill in the RedshiftGrants policies of <file> (connection
                        and manage kept; identity providers, roles, users and privileges written from live)

Options:
  --format <format>          text, markdown or json (default: text)
  --sandbox <file>           use a simulated AWS account kept in this JSON state file (docs/sandbox.md)
  --cwd <dir>                directory policy paths are relative to (default: the current directory)
  --verbose                  print debug logs to stderr
  --out <file>               plan: write the plan as JSON (for apply --plan); import: write the policy
                             there instead of stdout
  --detailed-exitcode        plan: exit 2 when there are changes
  --dry-apply                plan: also execute the plan inside a transaction and roll it back (database
                             policies over a connection URL), proving it would apply; nothing changes
  --repository <owner/name>  plan: salt the fingerprint like the GitHub Action does
  --pull-request <number>    plan: salt the fingerprint like the GitHub Action does
  --plan <file>              apply: a plan saved by plan --out; refuse when policies or live state changed
  --allow-destructive        apply: allow destructive and disruptive changes
  --dns-server <ip[:port]>   verify: DNS server to ask (repeatable or comma-separated; default: the system's)
  --timeout <ms>             verify: limit for each DNS lookup and HTTPS request (default: 5000)
  -h, --help                 show this help

Exit codes: 0 ok, 1 invalid policy or failure, 2 changes (plan --detailed-exitcode), drift, or live differs (verify).
`,E=["validate","plan","apply","drift","verify","import"],_={validate:[],plan:["out","detailed-exitcode","repository","pull-request","dry-apply"],apply:["plan","allow-destructive"],drift:[],verify:["dns-server","timeout"],import:["out"]},W=["format","sandbox","cwd","verbose","help"],u=class extends Error{static{d(this,"UsageError")}};function F(r){let{values:t,positionals:e,tokens:i}=D({args:r,allowPositionals:!0,strict:!0,tokens:!0,options:{format:{type:"string"},sandbox:{type:"string"},cwd:{type:"string"},verbose:{type:"boolean"},help:{type:"boolean",short:"h"},out:{type:"string"},"detailed-exitcode":{type:"boolean"},"dry-apply":{type:"boolean"},repository:{type:"string"},"pull-request":{type:"string"},plan:{type:"string"},"allow-destructive":{type:"boolean"},"dns-server":{type:"string",multiple:!0},timeout:{type:"string"}}}),[l,...s]=e;if(l!==void 0&&!E.includes(l))throw new u(`unknown command "${l}" (expected ${E.join(", ")})`);let n=l;for(let c of i??[])if(!(c.kind!=="option"||!n)&&!W.includes(c.name)&&!_[n].includes(c.name))throw new u(`option --${c.name} does not apply to ${n}`);let o=t.format??"text";if(o!=="text"&&o!=="markdown"&&o!=="json")throw new u(`--format: expected text, markdown or json, got "${o}"`);let y;if(t["pull-request"]!==void 0&&(y=Number(t["pull-request"]),!Number.isInteger(y)||y<=0))throw new u("--pull-request: expected a pull request number");let h;if(t.timeout!==void 0&&(h=Number(t.timeout),!Number.isInteger(h)||h<=0))throw new u("--timeout: expected a number of milliseconds");let x=t["dns-server"]?.flatMap(c=>c.split(",")).map(c=>c.trim());if(x?.some(c=>c===""))throw new u("--dns-server: expected ip or ip:port");return{command:n,paths:s,options:{format:o,sandbox:t.sandbox,cwd:t.cwd??process.cwd(),verbose:t.verbose,help:t.help,out:t.out,detailedExitcode:t["detailed-exitcode"],dryApply:t["dry-apply"],repository:t.repository,pullRequest:y,plan:t.plan,allowDestructive:t["allow-destructive"],dnsServers:x,timeoutMs:h}}}d(F,"parse");async function j(r,t,e,i){let l=q(i,e.verbose);switch(r){case"validate":{let s=await k({cwd:e.cwd,paths:t,providers:p});return i.out(w(s.diagnostics,e.format)),s.ok?a.ok:a.failure}case"plan":return e.dryApply?f(e,async s=>{let n=await R({cwd:e.cwd,paths:t,providers:p,salt:{repository:e.repository,pullRequest:e.pullRequest},runtime:m(s,l)});return e.out&&await b(e.out,`${JSON.stringify(n.plan,null,2)}
`),i.out(v(n.plan,e.format)),i.err(M(n)),n.ok?e.detailedExitcode&&n.plan.summary.total?a.changes:a.ok:a.failure}):f(e,async s=>{let{plan:n}=await g({cwd:e.cwd,paths:t,providers:p,salt:{repository:e.repository,pullRequest:e.pullRequest},runtime:m(s,l)});return e.out&&await b(e.out,`${JSON.stringify(n,null,2)}
`),i.out(v(n,e.format)),n.summary.errors?a.failure:e.detailedExitcode&&n.summary.total?a.changes:a.ok});case"apply":{let s=e.plan?JSON.parse(await I(e.plan,"utf8")):void 0;return f(e,async n=>{let o=await S({cwd:e.cwd,paths:t,providers:p,salt:s?.salt??{},runtime:m(n,l),allowDestructive:!!e.allowDestructive,expectedFingerprint:s?.fingerprint});return i.out(T(o,e.format)),o.ok?a.ok:a.failure})}case"drift":return f(e,async s=>{let{plan:n}=await g({cwd:e.cwd,paths:t,providers:p,salt:{},runtime:m(s,l)});return i.out($(n,e.format)),n.summary.errors?a.failure:n.summary.total?a.changes:a.ok});case"import":{if(t.length!==1)throw new u("import: expected exactly one policy file");return f(e,async s=>{let n=await A({cwd:e.cwd,file:t[0],providers:p,runtime:m(s,l)});if(n.text===void 0)return i.err(w(n.diagnostics,e.format)),a.failure;for(let o of n.notices)i.err(`notice: ${o}`);return e.out?await b(e.out,n.text):i.out(n.text),a.ok})}case"verify":{let{verify:s}=await import("./chunks/verify-IG32D4MC.js"),n=process.env.CHARTER_VERIFY_HTTPS_PORT?Number(process.env.CHARTER_VERIFY_HTTPS_PORT):void 0,o=await s({cwd:e.cwd,paths:t,providers:p,clientOptions:{dnsServers:e.dnsServers,timeoutMs:e.timeoutMs,httpsPort:n}});return l.debug(`verified ${o.verified.length} EmailSecurity policies: ${o.verified.join(", ")}`),i.out(w(o.diagnostics,e.format,o.invalid?P:N)),o.invalid||o.inconclusive?a.failure:o.differs?a.changes:a.ok}}}d(j,"runCommand");function M(r){if(r.refused)return`Dry-apply refused: ${r.refused}`;if(!r.plan.changes.length)return"Dry-apply: nothing to execute.";let t=r.results.find(e=>e.status==="failed");return t?`Dry-apply failed at ${t.address}: ${t.error??"unknown error"}
The transaction was rolled back; nothing changed.`:`Dry-apply: all ${r.plan.changes.length} change(s) executed inside a transaction and were rolled back; nothing changed.`}d(M,"dryApplySummary");async function O(r,t=C){let e;try{e=F(r)}catch(i){return t.err(`charter: ${i.message}
Run charter --help for usage.`),a.failure}if(e.options.help||!e.command)return(e.command||e.options.help?t.out:t.err)(H),e.options.help?a.ok:a.failure;try{return await j(e.command,e.paths,e.options,t)}catch(i){return t.err(`charter: ${i.message??String(i)}`),a.failure}}d(O,"main");process.exitCode=await O(process.argv.slice(2));
