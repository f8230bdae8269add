#!/usr/bin/env node
import { createRequire as __charterCreateRequire } from 'node:module';
const require = __charterCreateRequire(import.meta.url);
import{a as f,l as v,m as N,n as A,o as h,p as T,q as $,u as p}from"./chunks/chunk-ANPJ5PLL.js";import"./chunks/chunk-EUZY7UQF.js";import"./chunks/chunk-AUIQSI5I.js";import{m as k,n as g,p as S,q as R,s as P}from"./chunks/chunk-RTUDB5PA.js";import"./chunks/chunk-MFOT6QL3.js";import"./chunks/chunk-GS4YUJU6.js";import"./chunks/chunk-DQ3QNSE5.js";import"./chunks/chunk-NXNFNELJ.js";import"./chunks/chunk-LKV6ZDBK.js";import{a as d}from"./chunks/chunk-7UYMMDKJ.js";import{readFile as I,writeFile as b}from"node:fs/promises";import{parseArgs as D}from"node:util";var n={ok:0,failure:1,changes:2},C={out:d(a=>process.stdout.write(a.endsWith(`
`)?a:`${a}
`),"out"),err:d(a=>process.stderr.write(a.endsWith(`
`)?a:`${a}
`),"err")};function q(a,t){return{debug:d(e=>{(t||process.env.CHARTER_DEBUG)&&a.err(`debug: ${e}`)},"debug"),info:d(e=>a.err(e),"info"),warn:d(e=>a.err(`warning: ${e}`),"warn")}}d(q,"logger");async function y(a,t){let e=process.env.CHARTER_AWS_ENDPOINT;if(!a.sandbox)return t(e?{endpoint:e}:{});let{startSandbox:o}=await import("./chunks/sandbox-VDQCKGIE.js"),l=await o({stateFile:a.sandbox,persist:!0});try{return await t({endpoint:l.endpoint})}finally{await l.save(),await l.close()}}d(y,"withAws");var H=`Usage: charter <command> [paths...] [options]

Policy-as-code for the AWS things teams still wire by hand. Policy kinds: ${p.map(a=>a.kind).join(", ")}.
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

Exit codes: 0 ok, 1 invalid policy or failure, 2 changes (plan --detailed-exitcode), drift, or live differs (verify).
`,E=["validate","plan","apply","drift","verify","import"],_={validate:[],plan:["out","detailed-exitcode","repository","pull-request","dry-apply"],apply:["plan","allow-destructive"],drift:[],verify:["dns-server","timeout"],import:["out"]},W=["format","sandbox","cwd","verbose","help","allow-no-policies"],u=class extends Error{static{d(this,"UsageError")}};function F(a){let{values:t,positionals:e,tokens:o}=D({args:a,allowPositionals:!0,strict:!0,tokens:!0,options:{format:{type:"string"},sandbox:{type:"string"},cwd:{type:"string"},verbose:{type:"boolean"},help:{type:"boolean",short:"h"},"allow-no-policies":{type:"boolean"},out:{type:"string"},"detailed-exitcode":{type:"boolean"},"dry-apply":{type:"boolean"},repository:{type:"string"},"pull-request":{type:"string"},plan:{type:"string"},"allow-destructive":{type:"boolean"},"dns-server":{type:"string",multiple:!0},timeout:{type:"string"}}}),[l,...m]=e;if(l!==void 0&&!E.includes(l))throw new u(`unknown command "${l}" (expected ${E.join(", ")})`);let i=l;for(let c of o??[])if(!(c.kind!=="option"||!i)&&!W.includes(c.name)&&!_[i].includes(c.name))throw new u(`option --${c.name} does not apply to ${i}`);let r=t.format??"text";if(r!=="text"&&r!=="markdown"&&r!=="json")throw new u(`--format: expected text, markdown or json, got "${r}"`);let s;if(t["pull-request"]!==void 0&&(s=Number(t["pull-request"]),!Number.isInteger(s)||s<=0))throw new u("--pull-request: expected a pull request number");let w;if(t.timeout!==void 0&&(w=Number(t.timeout),!Number.isInteger(w)||w<=0))throw new u("--timeout: expected a number of milliseconds");let x=t["dns-server"]?.flatMap(c=>c.split(",")).map(c=>c.trim());if(x?.some(c=>c===""))throw new u("--dns-server: expected ip or ip:port");return{command:i,paths:m,options:{format:r,sandbox:t.sandbox,cwd:t.cwd??process.cwd(),verbose:t.verbose,help:t.help,allowNoPolicies:t["allow-no-policies"],out:t.out,detailedExitcode:t["detailed-exitcode"],dryApply:t["dry-apply"],repository:t.repository,pullRequest:s,plan:t.plan,allowDestructive:t["allow-destructive"],dnsServers:x,timeoutMs:w}}}d(F,"parse");async function j(a,t,e,o){let l=q(o,e.verbose),m=!!e.allowNoPolicies;switch(a){case"validate":{let i=await k({cwd:e.cwd,paths:t,providers:p,allowNoPolicies:m});return o.out(h(i.diagnostics,e.format)),i.ok?n.ok:n.failure}case"plan":return e.dryApply?y(e,async i=>{let r=await R({cwd:e.cwd,paths:t,providers:p,allowNoPolicies:m,salt:{repository:e.repository,pullRequest:e.pullRequest},runtime:f(i,l)});return e.out&&await b(e.out,`${JSON.stringify(r.plan,null,2)}
`),o.out(v(r.plan,e.format)),o.err(M(r)),r.ok?e.detailedExitcode&&r.plan.summary.total?n.changes:n.ok:n.failure}):y(e,async i=>{let{plan:r}=await g({cwd:e.cwd,paths:t,providers:p,allowNoPolicies:m,salt:{repository:e.repository,pullRequest:e.pullRequest},runtime:f(i,l)});return e.out&&await b(e.out,`${JSON.stringify(r,null,2)}
`),o.out(v(r,e.format)),r.summary.errors?n.failure:e.detailedExitcode&&r.summary.total?n.changes:n.ok});case"apply":{let i=e.plan?JSON.parse(await I(e.plan,"utf8")):void 0;return y(e,async r=>{let s=await S({cwd:e.cwd,paths:t,providers:p,allowNoPolicies:m,salt:i?.salt??{},runtime:f(r,l),allowDestructive:!!e.allowDestructive,expectedFingerprint:i?.fingerprint});return o.out(T(s,e.format)),s.ok?n.ok:n.failure})}case"drift":return y(e,async i=>{let{plan:r}=await g({cwd:e.cwd,paths:t,providers:p,allowNoPolicies:m,salt:{},runtime:f(i,l)});return o.out($(r,e.format)),r.summary.errors?n.failure:r.summary.total?n.changes:n.ok});case"import":{if(t.length!==1)throw new u("import: expected exactly one policy file");return y(e,async i=>{let r=await P({cwd:e.cwd,file:t[0],providers:p,runtime:f(i,l)});if(r.text===void 0)return o.err(h(r.diagnostics,e.format)),n.failure;for(let s of r.notices)o.err(`notice: ${s}`);return e.out?await b(e.out,r.text):o.out(r.text),n.ok})}case"verify":{let{verify:i}=await import("./chunks/verify-L4CXTVUE.js"),r=process.env.CHARTER_VERIFY_HTTPS_PORT?Number(process.env.CHARTER_VERIFY_HTTPS_PORT):void 0,s=await i({cwd:e.cwd,paths:t,providers:p,clientOptions:{dnsServers:e.dnsServers,timeoutMs:e.timeoutMs,httpsPort:r}});return l.debug(`verified ${s.verified.length} EmailSecurity policies: ${s.verified.join(", ")}`),o.out(h(s.diagnostics,e.format,s.invalid?N:A)),s.invalid||s.inconclusive?n.failure:s.differs?n.changes:n.ok}}}d(j,"runCommand");function M(a){if(a.refused)return`Dry-apply refused: ${a.refused}`;if(!a.plan.changes.length)return"Dry-apply: nothing to execute.";let t=a.results.find(e=>e.status==="failed");return t?`Dry-apply failed at ${t.address}: ${t.error??"unknown error"}
The transaction was rolled back; nothing changed.`:`Dry-apply: all ${a.plan.changes.length} change(s) executed inside a transaction and were rolled back; nothing changed.`}d(M,"dryApplySummary");async function O(a,t=C){let e;try{e=F(a)}catch(o){return t.err(`charter: ${o.message}
Run charter --help for usage.`),n.failure}if(e.options.help||!e.command)return(e.command||e.options.help?t.out:t.err)(H),e.options.help?n.ok:n.failure;try{return await j(e.command,e.paths,e.options,t)}catch(o){return t.err(`charter: ${o.message??String(o)}`),n.failure}}d(O,"main");process.exitCode=await O(process.argv.slice(2));
