// The dashboard's page, script and style sheet (orchestrator/serve/*.html,
// *.js, *.css), embedded in the binary at build time (cmake/EmbedAssets.cmake).
#ifndef CAMBRIAN_ORCHESTRATOR_SERVE_ASSETS_H_
#define CAMBRIAN_ORCHESTRATOR_SERVE_ASSETS_H_

namespace cambrian::orchestrator {

extern const char kIndexHtml[];
extern const char kAppJs[];
extern const char kAppCss[];

}  // namespace cambrian::orchestrator

#endif  // CAMBRIAN_ORCHESTRATOR_SERVE_ASSETS_H_
