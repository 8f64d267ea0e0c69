// HttpTransport over libcurl: the only file that includes <curl/curl.h> is
// curl_transport.cc.
#ifndef CAMBRIAN_MUTATORS_LLM_CURL_TRANSPORT_H_
#define CAMBRIAN_MUTATORS_LLM_CURL_TRANSPORT_H_

#include <atomic>

#include "absl/status/statusor.h"
#include "mutators/llm/http_transport.h"

namespace cambrian::mutators {

// One libcurl easy handle per call, so calls from many threads never share
// state; libcurl's global setup runs once, on first construction. No
// signals (CURLOPT_NOSIGNAL), no redirects, http and https only; proxies
// follow libcurl's usual environment variables. Errors as HttpTransport
// says; messages name the host and libcurl's reason, never a header.
class CurlTransport final : public HttpTransport {
 public:
  CurlTransport();
  [[nodiscard]] absl::StatusOr<HttpResponse> Post(const HttpRequest& request) override;
  [[nodiscard]] absl::StatusOr<HttpResponse> Get(const HttpRequest& request) override;
  // Checked by libcurl's progress callback, which runs at least once a
  // second during a transfer (and more often while data flows).
  void Cancel() override { cancelled_.store(true); }

 private:
  absl::StatusOr<HttpResponse> Perform(const HttpRequest& request, bool post);

  std::atomic<bool> cancelled_{false};
};

}  // namespace cambrian::mutators

#endif  // CAMBRIAN_MUTATORS_LLM_CURL_TRANSPORT_H_
