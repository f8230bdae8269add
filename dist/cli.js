#!/usr/bin/env node
import { createRequire as __charterCreateRequire } from 'node:module';
const require = __charterCreateRequire(import.meta.url);
import{a as f,c as g,d as w,f as y,l as b,m as v,n as x,o as k,s as c}from"./chunks/chunk-YSALLPNV.js";import"./chunks/chunk-L2TL77NL.js";import"./chunks/chunk-YGPMZP3I.js";import{a as i}from"./chunks/chunk-7UYMMDKJ.js";import{readFile as C,writeFile as N}from"node:fs/promises";import{parseArgs as R}from"node:util";var n={ok:0,failure:1,changes:2},S={out:i(r=>process.stdout.write(r.endsWith(`
`)?r:`${r}
`),"out"),err:i(r=>process.stderr.write(r.endsWith(`
`)?r:`${r}
`),"err")};function O(r,t){return{debug:i(e=>{(t||process.env.CHARTER_DEBUG)&&r.err(`debug: ${e}`)},"debug"),info:i(e=>r.err(e),"info"),warn:i(e=>r.err(`warning: ${e}`),"warn")}}i(O,"logger");async function h(r,t){let e=process.env.CHARTER_AWS_ENDPOINT;if(!r.sandbox)return t(e?{endpoint:e}:{});let{startSandbox:o}=await import("./chunks/sandbox-VAGV6NJ4.js"),s=await o({stateFile:r.sandbox,persist:!0});try{return await t({endpoint:s.endpoint})}finally{await s.save(),await s.close()}}i(h,"withAws");var E=`Usage: charter <command> [paths...] [options]

Policy-as-code for email security records, package publishing, branch pipelines, Shield protection groups
and Redshift grants. Paths are policy files, directories or globs (default: policies/).

Commands:
  validate [paths...]   check policies against their schemas and rules (no AWS access)
  plan [paths...]       compare policies with live AWS and print the changes apply would make
  apply [paths...]      apply the plan (with --plan, only if it still has the saved fingerprint)
  drift [paths...]      report differences between policies and live AWS (exit 2 when there is drift)

Options:
  --format <format>          text, markdown or json (default: text)
  --sandbox <file>           use a simulated AWS account kept in this JSON state file (docs/sandbox.md)
  --cwd <dir>                directory policy paths are relative to (default: the current directory)
  --verbose                  print debug logs to stderr
  --out <file>               plan: write the plan as JSON (for apply --plan)
  --detailed-exitcode        plan: exit 2 when there are changes
  --repository <owner/name>  plan: salt the fingerprint like the GitHub Action does
  --pull-request <number>    plan: salt the fingerprint like the GitHub Action does
  --plan <file>              apply: a plan saved by plan --out; refuse when policies or live state changed
  --allow-destructive        apply: allow destructive and disruptive changes
  -h, --help                 show this help

Exit codes: 0 ok, 1 invalid policy or failure, 2 changes (plan --detailed-exitcode) or drift.
`,P=["validate","plan","apply","drift"],$={validate:[],plan:["out","detailed-exitcode","repository","pull-request"],apply:["plan","allow-destructive"],drift:[]},q=["format","sandbox","cwd","verbose","help"],p=class extends Error{static{i(this,"UsageError")}};function I(r){let{values:t,positionals:e,tokens:o}=R({args:r,allowPositionals:!0,strict:!0,tokens:!0,options:{format:{type:"string"},sandbox:{type:"string"},cwd:{type:"string"},verbose:{type:"boolean"},help:{type:"boolean",short:"h"},out:{type:"string"},"detailed-exitcode":{type:"boolean"},repository:{type:"string"},"pull-request":{type:"string"},plan:{type:"string"},"allow-destructive":{type:"boolean"}}}),[s,...l]=e;if(s!==void 0&&!P.includes(s))throw new p(`unknown command "${s}" (expected ${P.join(", ")})`);let a=s;for(let m of o??[])if(!(m.kind!=="option"||!a)&&!q.includes(m.name)&&!$[a].includes(m.name))throw new p(`option --${m.name} does not apply to ${a}`);let d=t.format??"text";if(d!=="text"&&d!=="markdown"&&d!=="json")throw new p(`--format: expected text, markdown or json, got "${d}"`);let u;if(t["pull-request"]!==void 0&&(u=Number(t["pull-request"]),!Number.isInteger(u)||u<=0))throw new p("--pull-request: expected a pull request number");return{command:a,paths:l,options:{format:d,sandbox:t.sandbox,cwd:t.cwd??process.cwd(),verbose:t.verbose,help:t.help,out:t.out,detailedExitcode:t["detailed-exitcode"],repository:t.repository,pullRequest:u,plan:t.plan,allowDestructive:t["allow-destructive"]}}}i(I,"parse");async function D(r,t,e,o){let s=O(o,e.verbose);switch(r){case"validate":{let l=await g({cwd:e.cwd,paths:t,providers:c});return o.out(v(l.diagnostics,e.format)),l.ok?n.ok:n.failure}case"plan":return h(e,async l=>{let{plan:a}=await w({cwd:e.cwd,paths:t,providers:c,salt:{repository:e.repository,pullRequest:e.pullRequest},runtime:f(l,s)});return e.out&&await N(e.out,`${JSON.stringify(a,null,2)}
`),o.out(b(a,e.format)),a.summary.errors?n.failure:e.detailedExitcode&&a.summary.total?n.changes:n.ok});case"apply":{let l=e.plan?JSON.parse(await C(e.plan,"utf8")):void 0;return h(e,async a=>{let d=await y({cwd:e.cwd,paths:t,providers:c,salt:l?.salt??{},runtime:f(a,s),allowDestructive:!!e.allowDestructive,expectedFingerprint:l?.fingerprint});return o.out(x(d,e.format)),d.ok?n.ok:n.failure})}case"drift":return h(e,async l=>{let{plan:a}=await w({cwd:e.cwd,paths:t,providers:c,salt:{},runtime:f(l,s)});return o.out(k(a,e.format)),a.summary.errors?n.failure:a.summary.total?n.changes:n.ok})}}i(D,"runCommand");async function A(r,t=S){let e;try{e=I(r)}catch(o){return t.err(`charter: ${o.message}
Run charter --help for usage.`),n.failure}if(e.options.help||!e.command)return(e.command||e.options.help?t.out:t.err)(E),e.options.help?n.ok:n.failure;try{return await D(e.command,e.paths,e.options,t)}catch(o){return t.err(`charter: ${o.message??String(o)}`),n.failure}}i(A,"main");process.exitCode=await A(process.argv.slice(2));
