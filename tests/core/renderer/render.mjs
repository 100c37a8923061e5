// Renders Adaptive Cards with Microsoft's official JavaScript renderer (the `adaptivecards` npm
// package) in jsdom, the way a Teams client would, and reports every problem it finds.
//
//   node render.mjs NODE_MODULES_DIR < request.json > report.json
//
// request.json: {"hostConfigs": {"light": "path.json", ...}, "cards": [{"name": "...", "card": {...}}]}
// report.json:  [{"name": "...", "host": "light", "problems": ["Validation/TooManyActions: ..."]}]
//
// A problem is any parse event, any validateProperties() failure, anything the renderer writes
// to the console, an exception, or a render() that produces no element. Cards are parsed for
// Adaptive Cards 1.5, the newest version Teams supports on desktop and mobile.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const modules = process.argv[2];
if (!modules) {
  console.error("usage: node render.mjs NODE_MODULES_DIR < request.json");
  process.exit(2);
}
const require = createRequire(path.join(path.resolve(modules), "noop.js"));
const { JSDOM } = require("jsdom");

const dom = new JSDOM("<!DOCTYPE html><html><body></body></html>", {
  pretendToBeVisual: true,
  url: "https://localhost/",
});
// The renderer expects a browser: give it jsdom's window and everything on it (document,
// HTMLElement, HTMLInputElement ...) that Node does not have already.
globalThis.window = dom.window;
for (const name of Object.getOwnPropertyNames(dom.window)) {
  if (!(name in globalThis)) {
    const value = dom.window[name];
    Object.defineProperty(globalThis, name, {
      value: typeof value === "function" && !/^[A-Z]/.test(name) ? value.bind(dom.window) : value,
      configurable: true,
      writable: true,
    });
  }
}

// The package's webpack build, the one browsers load (its lib/ is ESM that Node cannot resolve).
const AC = require("adaptivecards/dist/adaptivecards.js");

// Whatever the renderer says on the console counts as a problem of the card being rendered.
let consoleProblems = [];
for (const level of ["log", "info", "warn", "error"]) {
  console[level] = (...args) => consoleProblems.push(`console.${level}: ${args.join(" ")}`);
}

// Teams renders a subset of Markdown; the check needs no Markdown library, only that the
// renderer does not complain that none is configured.
AC.AdaptiveCard.onProcessMarkdown = (text, result) => {
  const escaped = text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
  result.outputHtml = escaped;
  result.didProcess = true;
};
// Teams supports Adaptive Cards 1.5 on desktop and mobile.
AC.SerializableObject.defaultMaxVersion = AC.Versions.v1_5;

const phaseName = (phase) => AC.ValidationPhase[phase] ?? String(phase);
const eventName = (event) => AC.ValidationEvent[event] ?? String(event);
const where = (source) => {
  if (!source || typeof source.getJsonTypeName !== "function") return "";
  const id = source.id ? ` "${source.id}"` : "";
  return ` [${source.getJsonTypeName()}${id}]`;
};
const describe = (e) => `${phaseName(e.phase)}/${eventName(e.event)}${where(e.source)}: ${e.message}`;

function check(json, hostConfig) {
  const problems = [];
  consoleProblems = [];
  try {
    const card = new AC.AdaptiveCard();
    card.hostConfig = hostConfig;
    const context = new AC.SerializationContext(AC.Versions.v1_5);
    card.parse(json, context);
    for (let i = 0; i < context.eventCount; i++) problems.push(describe(context.getEventAt(i)));
    for (const e of card.validateProperties().validationEvents) problems.push(describe(e));
    const element = card.render();
    if (!element) {
      problems.push("render() produced no element");
    } else {
      dom.window.document.body.replaceChildren(element);
      if (!element.textContent.trim()) problems.push("render() produced an element with no text");
    }
  } catch (error) {
    problems.push(`exception: ${error && error.stack ? error.stack : error}`);
  }
  return problems.concat(consoleProblems);
}

const request = JSON.parse(readFileSync(0, "utf-8"));
const hosts = Object.entries(request.hostConfigs).map(([name, file]) => [
  name,
  new AC.HostConfig(JSON.parse(readFileSync(file, "utf-8"))),
]);
const report = [];
for (const { name, card } of request.cards) {
  for (const [host, hostConfig] of hosts) {
    report.push({ name, host, problems: check(card, hostConfig) });
  }
}
process.stdout.write(JSON.stringify(report));
