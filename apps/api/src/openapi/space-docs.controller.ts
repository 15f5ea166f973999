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

const SPACE_UI_SCRIPT = `(function () {
  var spaceId = location.pathname.split('/').filter(Boolean).pop();
  var specUrl = '/api/spaces/' + encodeURIComponent(spaceId) + '/openapi.json';
  function stored() {
    try { return JSON.parse(localStorage.getItem('authorized') || '{}'); } catch (e) { return {}; }
  }
  window.ui = SwaggerUIBundle({
    url: specUrl,
    dom_id: '#swagger-ui',
    persistAuthorization: true,
    displayOperationId: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: 'StandaloneLayout',
    requestInterceptor: function (req) {
      if (req.url.indexOf(specUrl) !== -1) {
        var a = stored();
        if (a['X-Api-Key']) req.headers['X-Api-Key'] = a['X-Api-Key'].value;
        else if (a['x-undb-api-token']) req.headers['x-undb-api-token'] = a['x-undb-api-token'].value;
        else if (a.bearer) req.headers.Authorization = 'Bearer ' + a.bearer.value;
      }
      return req;
    }
  });
})();
`;
