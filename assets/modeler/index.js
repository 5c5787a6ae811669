/* The modeler bundle (流程建模): bpmn-js Modeler with the properties panel for the Camunda 7
   dialect, camunda-bpmn-moddle, bpmnlint through bpmn-js-bpmnlint, and Chinese labels.

   Built by scripts/vendor.sh (esbuild, `make setup`) into app/static/vendor/modeler/modeler.js
   as one IIFE that sets `window.HcpModeler`. The page's own behaviour (toolbar, drafts,
   validation, diff, deploy) lives in app/modeler/static/modeler.js and only uses
   `HcpModeler.create(options)` and the services of the Modeler it returns. */

import Modeler from "bpmn-js/lib/Modeler";
import {
  BpmnPropertiesPanelModule,
  BpmnPropertiesProviderModule,
  CamundaPlatformPropertiesProviderModule,
} from "bpmn-js-properties-panel";
import CamundaBehaviorsModule from "camunda-bpmn-js-behaviors/lib/camunda-platform";
import camundaModdle from "camunda-bpmn-moddle/resources/camunda.json";
import LintModule from "bpmn-js-bpmnlint";

import lintBundle from "./lint.js";
import { makeTranslate } from "./zh.js";

/* Groups of the Camunda 7 properties that the engine here (SpiffWorkflow's Camunda parser)
   does not run: showing them would invite edits that do nothing. What stays: general,
   documentation, user assignment (candidate groups), forms and form fields, timers,
   conditions, scripts, call activities, and the BPMN event references. */
const HIDDEN_GROUPS = new Set([
  "CamundaPlatform__Implementation",
  "CamundaPlatform__ExternalTask",
  "CamundaPlatform__AsynchronousContinuations",
  "CamundaPlatform__JobExecution",
  "CamundaPlatform__CandidateStarter",
  "CamundaPlatform__StartInitiator",
  "CamundaPlatform__FieldInjection",
  "CamundaPlatform__HistoryCleanup",
  "CamundaPlatform__Tasklist",
  "CamundaPlatform__InMapping",
  "CamundaPlatform__InMappingPropagation",
  "CamundaPlatform__OutMapping",
  "CamundaPlatform__OutMappingPropagation",
  "CamundaPlatform__BusinessKey",
  "CamundaPlatform__ExecutionListener",
  "CamundaPlatform__TaskListener",
  "CamundaPlatform__Input",
  "CamundaPlatform__Output",
  "CamundaPlatform__ConnectorInput",
  "CamundaPlatform__ConnectorOutput",
  "CamundaPlatform__ExtensionProperties",
]);

function EngineGroupsFilter(propertiesPanel) {
  // after the Camunda provider (priority 500): a lower priority applies later
  propertiesPanel.registerProvider(100, this);
}
EngineGroupsFilter.$inject = ["propertiesPanel"];
EngineGroupsFilter.prototype.getGroups = function () {
  return function (groups) {
    return groups.filter(function (group) { return !HIDDEN_GROUPS.has(group.id); });
  };
};

const EngineGroupsModule = {
  __init__: ["engineGroupsFilter"],
  engineGroupsFilter: ["type", EngineGroupsFilter],
};

/**
 * A Modeler in `container` with its properties panel in `panel`.
 * options: { container, panel, lang ("zh-CN" | "en"), lint (bool, overlays shown) }
 */
function create(options) {
  const lang = options.lang || document.documentElement.lang || "zh-CN";
  return new Modeler({
    container: options.container,
    propertiesPanel: { parent: options.panel },
    linting: { bpmnlint: lintBundle, active: options.lint !== false },
    additionalModules: [
      BpmnPropertiesPanelModule,
      BpmnPropertiesProviderModule,
      CamundaPlatformPropertiesProviderModule,
      CamundaBehaviorsModule,
      EngineGroupsModule,
      LintModule,
      { translate: ["value", makeTranslate(lang)] },
    ],
    moddleExtensions: { camunda: camundaModdle },
  });
}

window.HcpModeler = { create: create, hiddenGroups: Array.from(HIDDEN_GROUPS) };
