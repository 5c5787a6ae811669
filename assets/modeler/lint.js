/* bpmnlint for the modeler, as the `{ config, resolver }` bundle bpmn-js-bpmnlint takes.

   bpmnlint's `.bpmnlintrc` is normally compiled by a webpack or rollup loader; with esbuild the
   rules are imported here and served by a small resolver. The rules are bpmnlint's recommended
   set less three that our diagrams break on purpose (docs/process.md):
   - label-required: the warning and overdue timers end in unnamed end events (`<task>_warn_end`);
   - fake-join: several flows lead straight into a task (feedback, revisit, classify, the ends);
   - no-gateway-join-fork: staff_review's `gw_staff_valid` merges and splits in one gateway.
   Lint findings are advice in the editor; the server's validation decides what may be deployed. */

import adHocSubProcess from "bpmnlint/rules/ad-hoc-sub-process";
import conditionalFlows from "bpmnlint/rules/conditional-flows";
import endEventRequired from "bpmnlint/rules/end-event-required";
import eventBasedGateway from "bpmnlint/rules/event-based-gateway";
import eventSubProcessTypedStartEvent from "bpmnlint/rules/event-sub-process-typed-start-event";
import global from "bpmnlint/rules/global";
import linkEvent from "bpmnlint/rules/link-event";
import noBpmndi from "bpmnlint/rules/no-bpmndi";
import noComplexGateway from "bpmnlint/rules/no-complex-gateway";
import noDisconnected from "bpmnlint/rules/no-disconnected";
import noDuplicateSequenceFlows from "bpmnlint/rules/no-duplicate-sequence-flows";
import noImplicitEnd from "bpmnlint/rules/no-implicit-end";
import noImplicitSplit from "bpmnlint/rules/no-implicit-split";
import noImplicitStart from "bpmnlint/rules/no-implicit-start";
import noInclusiveGateway from "bpmnlint/rules/no-inclusive-gateway";
import noOverlappingElements from "bpmnlint/rules/no-overlapping-elements";
import singleBlankStartEvent from "bpmnlint/rules/single-blank-start-event";
import singleEventDefinition from "bpmnlint/rules/single-event-definition";
import startEventRequired from "bpmnlint/rules/start-event-required";
import subProcessBlankStartEvent from "bpmnlint/rules/sub-process-blank-start-event";
import superfluousGateway from "bpmnlint/rules/superfluous-gateway";
import superfluousLabel from "bpmnlint/rules/superfluous-label";
import superfluousTermination from "bpmnlint/rules/superfluous-termination";

// rule name: [factory, category]
const RULES = {
  "ad-hoc-sub-process": [adHocSubProcess, "error"],
  "conditional-flows": [conditionalFlows, "error"],
  "end-event-required": [endEventRequired, "error"],
  "event-based-gateway": [eventBasedGateway, "error"],
  "event-sub-process-typed-start-event": [eventSubProcessTypedStartEvent, "error"],
  "global": [global, "warn"],
  "link-event": [linkEvent, "error"],
  "no-bpmndi": [noBpmndi, "error"],
  "no-complex-gateway": [noComplexGateway, "error"],
  "no-disconnected": [noDisconnected, "error"],
  "no-duplicate-sequence-flows": [noDuplicateSequenceFlows, "error"],
  "no-implicit-end": [noImplicitEnd, "error"],
  "no-implicit-split": [noImplicitSplit, "error"],
  "no-implicit-start": [noImplicitStart, "error"],
  "no-inclusive-gateway": [noInclusiveGateway, "warn"],
  "no-overlapping-elements": [noOverlappingElements, "warn"],
  "single-blank-start-event": [singleBlankStartEvent, "error"],
  "single-event-definition": [singleEventDefinition, "error"],
  "start-event-required": [startEventRequired, "error"],
  "sub-process-blank-start-event": [subProcessBlankStartEvent, "error"],
  "superfluous-gateway": [superfluousGateway, "warn"],
  "superfluous-label": [superfluousLabel, "warn"],
  "superfluous-termination": [superfluousTermination, "warn"],
};

const rules = {};
Object.keys(RULES).forEach(function (name) { rules[name] = RULES[name][1]; });

const resolver = {
  resolveRule(pkg, name) {
    const found = pkg === "bpmnlint" && RULES[name];
    if (!found) {
      throw new Error("lint rule not bundled: " + pkg + "/" + name);
    }
    return found[0];
  },
  resolveConfig(pkg, name) {
    throw new Error("lint config not bundled: " + pkg + "/" + name);
  },
};

export default { config: { rules: rules }, resolver: resolver };
