// The seam between LLM clients and the network: one HTTP POST per call (and
// a GET to read a server's limits). The
// real transport is CurlTransport (mutators/llm/curl_transport.h); tests
// point it at a local server or replace it with a fake.
#ifndef CAMBRIAN_MUTATORS_LLM_HTTP_TRANSPORT_H_
#define CAMBRIAN_MUTATORS_LLM_HTTP_TRANSPORT_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace cambrian::mutators {

struct HttpRequest {
  std::string url;
  // Sent as given. May hold credentials: a transport never logs them and
  // never puts them in a Status message.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  absl::Duration connect_timeout = absl::Seconds(10);
  absl::Duration total_timeout = absl::Seconds(300);  // connect + send + receive
  int64_t max_response_bytes = 8 << 20;               // of the (decoded) body
};

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased; the last value wins
  std::string body;
};

// Any HTTP status, 4xx and 5xx included, is a response, not an error. Errors:
//   Unavailable       could not connect, or the connection failed or closed
//                     before the whole response arrived (truncated transfer)
//   DeadlineExceeded  connect_timeout or total_timeout passed
//   DataLoss          the body exceeded max_response_bytes
//   InvalidArgument   the URL is malformed or not http(s)
//   Cancelled         Cancel() was called (before or during the request)
// Implementations are thread-safe.
class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  [[nodiscard]] virtual absl::StatusOr<HttpResponse> Post(const HttpRequest& request) = 0;
  // The same as a GET (the request's body is not sent): a server's limits.
  [[nodiscard]] virtual absl::StatusOr<HttpResponse> Get(const HttpRequest& request) = 0;
  // Ends every request in flight within moments and refuses later ones: a
  // stopping run waits for no reply.
  virtual void Cancel() = 0;
};

}  // namespace cambrian::mutators

#endif  // CAMBRIAN_MUTATORS_LLM_HTTP_TRANSPORT_H_
