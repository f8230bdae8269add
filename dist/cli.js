#!/usr/bin/env node
import { createRequire as __charterCreateRequire } from 'node:module';
const require = __charterCreateRequire(import.meta.url);
import{a as k,l as v,m as N,n as T,o as h,p as I,q as E,u as p}from"./chunks/chunk-3XKYVVJL.js";import{n as S,o as g,q as P,r as R,t as A}from"./chunks/chunk-ZG4CEM6P.js";import"./chunks/chunk-LKWTQJFQ.js";import"./chunks/chunk-NMYVNLM2.js";import"./chunks/chunk-LKV6ZDBK.js";import"./chunks/chunk-YTOWXU7X.js";import"./chunks/chunk-7URP22SX.js";import"./chunks/chunk-WWXI6CTT.js";import"./chunks/chunk-IAI54TQ2.js";import"./chunks/chunk-LRQTQLBH.js";import"./chunks/chunk-DQ3QNSE5.js";import"./chunks/chunk-NXNFNELJ.js";import{a as d}from"./chunks/chunk-7UYMMDKJ.js";import{readFile as C,writeFile as b}from"node:fs/promises";import{parseArgs as D}from"node:util";var a={ok:0,failure:1,changes:2},_={out:d(r=>process.stdout.write(r.endsWith(`
`)?r:`${r}
`),"out"),err:d(r=>process.stderr.write(r.endsWith(`
`)?r:`${r}
`),"err")};function H(r,t){return{debug:d(e=>{(t||process.env.CHARTER_DEBUG)&&r.err(`debug: ${e}`)},"debug"),info:d(e=>r.err(e),"info"),warn:d(e=>r.err(`warning: ${e}`),"warn")}}d(H,"logger");async function f(r,t){let e=process.env.CHARTER_AWS_ENDPOINT;if(!r.sandbox)return t(e?{endpoint:e}:{});let{startSandbox:i}=await import("./chunks/sandbox-ZMZ3NNMO.js"),l=await i({stateFile:r.sandbox,persist:!0});try{return await t({endpoint:l.endpoint})}finally{await l.save(),await l.close()}}d(f,"withAws");async function q(){let r=process.env.GITHUB_TOKEN;if(!r)return;let[{createGitHub:t},{githubBranchSource:e}]=await Promise.all([import("./chunks/client-EH3ZXSI2.js"),import("./chunks/branches-3FLMTI55.js")]);return e(t({token:r,baseUrl:process.env.GITHUB_API_URL||"https://api.github.com"}))}d(q,"branchSource");async function y(r,t){let e=await q();return{...k(r,t),...e?{branches:e}:{}}}d(y,"runtimeFor");var B=`Usage: charter <command> [paths...] [options]

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
  --allow-no-policies        reading no policy file is fine (else an error: a mistyped path must not pass
                             as "no changes"); a named path matching nothing is an error regardless
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

Environment: GITHUB_TOKEN (and GITHUB_API_URL) lets BranchPipelines policies list their repository's branches.

Exit codes: 0 ok, 1 invalid policy or failure, 2 changes (plan --detailed-exitcode), drift, or live differs (verify).
`,O=["validate","plan","apply","drift","verify","import"],F={validate:[],plan:["out","detailed-exitcode","repository","pull-request","dry-apply"],apply:["plan","allow-destructive"],drift:[],verify:["dns-server","timeout"],import:["out"]},G=["format","sandbox","cwd","verbose","help","allow-no-policies"],u=class extends Error{static{d(this,"UsageError")}};function W(r){let{values:t,positionals:e,tokens:i}=D({args:r,allowPositionals:!0,strict:!0,tokens:!0,options:{format:{type:"string"},sandbox:{type:"string"},cwd:{type:"string"},verbose:{type:"boolean"},help:{type:"boolean",short:"h"},"allow-no-policies":{type:"boolean"},out:{type:"string"},"detailed-exitcode":{type:"boolean"},"dry-apply":{type:"boolean"},repository:{type:"string"},"pull-request":{type:"string"},plan:{type:"string"},"allow-destructive":{type:"boolean"},"dns-server":{type:"string",multiple:!0},timeout:{type:"string"}}}),[l,...m]=e;if(l!==void 0&&!O.includes(l))throw new u(`unknown command "${l}" (expected ${O.join(", ")})`);let o=l;for(let c of i??[])if(!(c.kind!=="option"||!o)&&!G.includes(c.name)&&!F[o].includes(c.name))throw new u(`option --${c.name} does not apply to ${o}`);let n=t.format??"text";if(n!=="text"&&n!=="markdown"&&n!=="json")throw new u(`--format: expected text, markdown or json, got "${n}"`);let s;if(t["pull-request"]!==void 0&&(s=Number(t["pull-request"]),!Number.isInteger(s)||s<=0))throw new u("--pull-request: expected a pull request number");let w;if(t.timeout!==void 0&&(w=Number(t.timeout),!Number.isInteger(w)||w<=0))throw new u("--timeout: expected a number of milliseconds");let x=t["dns-server"]?.flatMap(c=>c.split(",")).map(c=>c.trim());if(x?.some(c=>c===""))throw new u("--dns-server: expected ip or ip:port");return{command:o,paths:m,options:{format:n,sandbox:t.sandbox,cwd:t.cwd??process.cwd(),verbose:t.verbose,help:t.help,allowNoPolicies:t["allow-no-policies"],out:t.out,detailedExitcode:t["detailed-exitcode"],dryApply:t["dry-apply"],repository:t.repository,pullRequest:s,plan:t.plan,allowDestructive:t["allow-destructive"],dnsServers:x,timeoutMs:w}}}d(W,"parse");async function L(r,t,e,i){let l=H(i,e.verbose),m=!!e.allowNoPolicies;switch(r){case"validate":{let o=await S({cwd:e.cwd,paths:t,providers:p,allowNoPolicies:m});return i.out(h(o.diagnostics,e.format)),o.ok?a.ok:a.failure}case"plan":return e.dryApply?f(e,async o=>{let n=await R({cwd:e.cwd,paths:t,providers:p,allowNoPolicies:m,salt:{repository:e.repository,pullRequest:e.pullRequest},runtime:await y(o,l)});return e.out&&await b(e.out,`${JSON.stringify(n.plan,null,2)}
`),i.out(v(n.plan,e.format)),i.err(U(n)),n.ok?e.detailedExitcode&&n.plan.summary.total?a.changes:a.ok:a.failure}):f(e,async o=>{let{plan:n}=await g({cwd:e.cwd,paths:t,providers:p,allowNoPolicies:m,salt:{repository:e.repository,pullRequest:e.pullRequest},runtime:await y(o,l)});return e.out&&await b(e.out,`${JSON.stringify(n,null,2)}
`),i.out(v(n,e.format)),n.summary.errors?a.failure:e.detailedExitcode&&n.summary.total?a.changes:a.ok});case"apply":{let o=e.plan?JSON.parse(await C(e.plan,"utf8")):void 0;return f(e,async n=>{let s=await P({cwd:e.cwd,paths:t,providers:p,allowNoPolicies:m,salt:o?.salt??{},runtime:await y(n,l),allowDestructive:!!e.allowDestructive,expectedFingerprint:o?.fingerprint});return i.out(I(s,e.format)),s.ok?a.ok:a.failure})}case"drift":return f(e,async o=>{let{plan:n}=await g({cwd:e.cwd,paths:t,providers:p,allowNoPolicies:m,salt:{},runtime:await y(o,l)});return i.out(E(n,e.format)),n.summary.errors?a.failure:n.summary.total?a.changes:a.ok});case"import":{if(t.length!==1)throw new u("import: expected exactly one policy file");return f(e,async o=>{let n=await A({cwd:e.cwd,file:t[0],providers:p,runtime:await y(o,l)});if(n.text===void 0)return i.err(h(n.diagnostics,e.format)),a.failure;for(let s of n.notices)i.err(`notice: ${s}`);return e.out?await b(e.out,n.text):i.out(n.text),a.ok})}case"verify":{let{verify:o}=await import("./chunks/verify-PBTYJF56.js"),n=process.env.CHARTER_VERIFY_HTTPS_PORT?Number(process.env.CHARTER_VERIFY_HTTPS_PORT):void 0,s=await o({cwd:e.cwd,paths:t,providers:p,clientOptions:{dnsServers:e.dnsServers,timeoutMs:e.timeoutMs,httpsPort:n}});return l.debug(`verified ${s.verified.length} EmailSecurity policies: ${s.verified.join(", ")}`),i.out(h(s.diagnostics,e.format,s.invalid?N:T)),s.invalid||s.inconclusive?a.failure:s.differs?a.changes:a.ok}}}d(L,"runCommand");function U(r){if(r.refused)return`Dry-apply refused: ${r.refused}`;if(!r.plan.changes.length)return"Dry-apply: nothing to execute.";let t=r.results.find(e=>e.status==="failed");return t?`Dry-apply failed at ${t.address}: ${t.error??"unknown error"}
The transaction was rolled back; nothing changed.`:`Dry-apply: all ${r.plan.changes.length} change(s) executed inside a transaction and were rolled back; nothing changed.`}d(U,"dryApplySummary");async function $(r,t=_){let e;try{e=W(r)}catch(i){return t.err(`charter: ${i.message}
Run charter --help for usage.`),a.failure}if(e.options.help||!e.command)return(e.command||e.options.help?t.out:t.err)(B),e.options.help?a.ok:a.failure;try{return await L(e.command,e.paths,e.options,t)}catch(i){return t.err(`charter: ${i.message??String(i)}`),a.failure}}d($,"main");process.exitCode=await $(process.argv.slice(2));
