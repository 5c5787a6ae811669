/* Starts Swagger UI on /api/v1/docs (app/templates/swagger_ui.html) with the spec's URL and
   the app's OPENAPI_SWAGGER_UI_CONFIG, which win over the defaults as in flask-smorest's own
   page. A file, not an inline script: the site's Content-Security-Policy runs only files. */
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui-container");
  var config = {url: root.dataset.specUrl, dom_id: "#swagger-ui-container"};
  Object.assign(config, JSON.parse(document.getElementById("swagger-ui-config").textContent));
  window.ui = SwaggerUIBundle(config);
})();
