#include "mutators/llm/curl_transport.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/absl_compat.h"

namespace cambrian::mutators {
namespace {

struct EasyDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct ListDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

// What the callbacks fill in while libcurl runs.
struct Sink {
  HttpResponse response;
  int64_t max_bytes = 0;
  bool overflowed = false;
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const size_t bytes = size * count;
  if (static_cast<int64_t>(sink->response.body.size() + bytes) > sink->max_bytes) {
    sink->overflowed = true;
    return 0;  // anything short of `bytes` makes libcurl abort the transfer
  }
  sink->response.body.append(data, bytes);
  return bytes;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const std::string_view line(data, size * count);
  // A new status line starts a new response (after a 100 Continue, say):
  // only the final response's headers count.
  if (line.rfind("HTTP/", 0) == 0) {
    sink->response.headers.clear();
    return line.size();
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return line.size();
  std::string name(Trim(line.substr(0, colon)));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  sink->response.headers[name] = std::string(Trim(line.substr(colon + 1)));
  return line.size();
}

long Millis(absl::Duration d) {
  return static_cast<long>(std::max<int64_t>(1, absl::ToInt64Milliseconds(d)));
}

// libcurl's progress callback: a non-zero return aborts the transfer.
int OnProgress(void* cancelled, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<const std::atomic<bool>*>(cancelled)->load() ? 1 : 0;
}

absl::Status CurlError(CURLcode code, const char* detail, const HttpRequest& request,
                       const Sink& sink) {
  const std::string what =
      absl::StrCat(request.url, ": ", *detail ? detail : curl_easy_strerror(code));
  switch (code) {
    case CURLE_ABORTED_BY_CALLBACK:
      return absl::CancelledError(absl::StrCat(request.url, ": cancelled (stopping)"));
    case CURLE_OPERATION_TIMEDOUT:
      return absl::DeadlineExceededError(what);
    case CURLE_WRITE_ERROR:
      if (sink.overflowed) {
        return absl::DataLossError(absl::StrCat(request.url, ": response larger than ",
                                                request.max_response_bytes, " bytes"));
      }
      return absl::UnavailableError(what);
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return absl::InvalidArgumentError(what);
    default:
      // Connect failures, resets, a connection closed before or during the
      // response (CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE), TLS trouble: all
      // transient as far as a caller can tell.
      return absl::UnavailableError(what);
  }
}

void SetOptions(CURL* curl, const HttpRequest& request, bool post, curl_slist* headers, Sink* sink,
                char* error_buffer) {
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // timeouts must not raise SIGALRM in our threads
  if (post) {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
  } else {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, Millis(request.connect_timeout));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, Millis(request.total_timeout));
  curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");  // any encoding libcurl can decode
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, sink);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, sink);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
}

}  // namespace

CurlTransport::CurlTransport() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

absl::StatusOr<HttpResponse> CurlTransport::Post(const HttpRequest& request) {
  return Perform(request, /*post=*/true);
}

absl::StatusOr<HttpResponse> CurlTransport::Get(const HttpRequest& request) {
  return Perform(request, /*post=*/false);
}

absl::StatusOr<HttpResponse> CurlTransport::Perform(const HttpRequest& request, bool post) {
  std::unique_ptr<CURL, EasyDeleter> curl(curl_easy_init());
  if (curl == nullptr) return absl::InternalError("curl_easy_init failed");
  curl_slist* list = nullptr;
  for (const auto& [name, value] : request.headers) {
    list = curl_slist_append(list, absl::StrCat(name, ": ", value).c_str());
  }
  // No "Expect: 100-continue" round trip for large prompts.
  list = curl_slist_append(list, "Expect:");
  std::unique_ptr<curl_slist, ListDeleter> headers(list);

  Sink sink;
  sink.max_bytes = request.max_response_bytes;
  char error_buffer[CURL_ERROR_SIZE] = {0};
  SetOptions(curl.get(), request, post, headers.get(), &sink, error_buffer);
  curl_easy_setopt(curl.get(), CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl.get(), CURLOPT_XFERINFOFUNCTION, OnProgress);
  curl_easy_setopt(curl.get(), CURLOPT_XFERINFODATA, &cancelled_);
  if (cancelled_.load()) {
    return absl::CancelledError(absl::StrCat(request.url, ": cancelled (stopping)"));
  }
  const CURLcode code = curl_easy_perform(curl.get());
  if (code != CURLE_OK) return CurlError(code, error_buffer, request, sink);
  long status = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  sink.response.status = static_cast<int>(status);
  return std::move(sink.response);
}

}  // namespace cambrian::mutators
