import { Controller, Get, Header, Param } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { isUuid, notFound, Public } from '@app/common';

/**
 * Swagger UI for one space's typed spec, at /docs/spaces/{space_id}. The page is
 * static and public; the spec it loads is not, so the page sends the credential
 * authorized (and persisted) on /docs with that one request. The script is a file
 * of its own because the CSP forbids inline scripts.
 */
@Public()
@ApiExcludeController()
@Controller('docs')
export class SpaceDocsController {
  @Get('spaces/:space_id')
  @Header('Content-Type', 'text/html; charset=utf-8')
  page(@Param('space_id') spaceId: string): string {
    if (!isUuid(spaceId)) throw notFound('No such space.');
    return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Portico space ${spaceId}</title><link rel="stylesheet" href="/docs/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/swagger-ui-standalone-preset.js"></script>
<script src="/docs/space-ui.js"></script>
</body>
</html>
`;
  }

  @Get('space-ui.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=300')
  script(): string {
    return SPACE_UI_SCRIPT;
  }
}

/**
 * Loads the space's spec with the credential authorized on /docs, then hands it to
 * Swagger UI. Without a credential that may read the space there is no spec to show,
 * so the page says how to get one (Swagger UI alone would say only "Unauthorized").
 */
const SPACE_UI_SCRIPT = `(function () {
  var spaceId = location.pathname.split('/').filter(Boolean).pop();
  var specUrl = '/api/spaces/' + encodeURIComponent(spaceId) + '/openapi.json';
  function stored() {
    try { return JSON.parse(localStorage.getItem('authorized') || '{}'); } catch (e) { return {}; }
  }
  function credential() {
    var a = stored();
    if (a['X-Api-Key']) return { 'X-Api-Key': a['X-Api-Key'].value };
    if (a['x-undb-api-token']) return { 'x-undb-api-token': a['x-undb-api-token'].value };
    if (a.bearer) return { Authorization: 'Bearer ' + a.bearer.value };
    return null;
  }
  function explain(status) {
    var root = document.getElementById('swagger-ui');
    root.className = 'portico-unauthorized';
    var title = document.createElement('h1');
    title.textContent = "This space's API reference needs a credential";
    var text = document.createElement('p');
    text.textContent = status === 0
      ? 'No credential is authorized in this browser yet. '
      : 'The authorized credential may not read this space (HTTP ' + status + '). ';
    var how = document.createElement('p');
    how.textContent = 'Open the API reference, press "Authorize", enter an API key of this space ' +
      '(X-Api-Key or x-undb-api-token) or a member\\'s access token (bearer), then come back to this page.';
    var link = document.createElement('a');
    link.href = '/docs';
    link.id = 'portico-authorize-link';
    link.textContent = 'Authorize on /docs';
    root.replaceChildren(title, text, how, link);
  }
  var headers = credential();
  if (!headers) return explain(0);
  fetch(specUrl, { headers: headers }).then(function (res) {
    if (!res.ok) return explain(res.status);
    return res.json().then(function (spec) {
      window.ui = SwaggerUIBundle({
        spec: spec,
        dom_id: '#swagger-ui',
        persistAuthorization: true,
        displayOperationId: true,
        presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
        layout: 'StandaloneLayout'
      });
    });
  }, function () { explain(0); });
})();
`;
