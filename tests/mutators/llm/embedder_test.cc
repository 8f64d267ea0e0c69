// Embeddings over the OpenAI wire format (mutators/llm/embedder.h), through
// the real CurlTransport from a local HTTP server that embeds a text as its
// letter histogram.
#include "mutators/llm/embedder.h"

#include <httplib.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <cmath>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mutators/llm/curl_transport.h"
#include "nlohmann/json.hpp"

namespace cambrian::mutators {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

class EmbeddingsServer {
 public:
  EmbeddingsServer() {
    server_.Post(
        "/v1/embeddings", [this](const httplib::Request& request, httplib::Response& response) {
          ++requests_;
          last_authorization_ = request.get_header_value("Authorization");
          if (!fixed_.empty()) {
            response.status = status_;
            response.set_content(fixed_, "application/json");
            return;
          }
          const json body = json::parse(request.body);
          last_model_ = body.value("model", "");
          std::vector<double> histogram(26, 0);
          for (char c : body.value("input", "")) {
            if (std::isalpha(static_cast<unsigned char>(c))) histogram[std::tolower(c) - 'a'] += 1;
          }
          json reply = {{"object", "list"}, {"data", {{{"index", 0}, {"embedding", histogram}}}}};
          response.set_content(reply.dump(), "application/json");
        });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    for (int i = 0; i < 500 && !server_.is_running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  ~EmbeddingsServer() {
    server_.stop();
    thread_.join();
  }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1"; }
  // Every later request gets this status and body.
  void Answer(int status, std::string body) {
    status_ = status;
    fixed_ = std::move(body);
  }

  std::atomic<int> requests_ = 0;
  std::string last_authorization_, last_model_;

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  int status_ = 200;
  std::string fixed_;
};

class EmbedderTest : public ::testing::Test {
 protected:
  HttpEmbedder Make(std::string key = "") {
    return HttpEmbedder(transport_, {.base_url = server_.base_url() + "/", .model = "nomic"},
                        std::move(key));
  }
  EmbeddingsServer server_;
  CurlTransport transport_;
};

TEST_F(EmbedderTest, UnitVectorsFromTheServerAndEachTextAskedOnce) {
  HttpEmbedder embedder = Make();
  absl::StatusOr<std::vector<float>> a = embedder.Embed("aab");
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_EQ(a->size(), 26u);
  EXPECT_NEAR((*a)[0], 2 / std::sqrt(5.0), 1e-6);
  EXPECT_NEAR(CosineSimilarity(*a, *a), 1, 1e-6);
  EXPECT_EQ(server_.last_model_, "nomic");
  EXPECT_EQ(server_.last_authorization_, "");
  ASSERT_TRUE(embedder.Embed("aab").ok());
  EXPECT_EQ(server_.requests_, 1);                               // remembered
  absl::StatusOr<std::vector<float>> b = embedder.Embed("aba");  // same letters
  absl::StatusOr<std::vector<float>> c = embedder.Embed("xyz");
  ASSERT_TRUE(b.ok() && c.ok());
  EXPECT_NEAR(CosineSimilarity(*a, *b), 1, 1e-6);
  EXPECT_NEAR(CosineSimilarity(*a, *c), 0, 1e-6);
  EXPECT_EQ(server_.requests_, 3);
}

TEST_F(EmbedderTest, TheKeyIsSentAsABearerToken) {
  HttpEmbedder embedder = Make("sk-embed");
  ASSERT_TRUE(embedder.Embed("x").ok());
  EXPECT_EQ(server_.last_authorization_, "Bearer sk-embed");
}

TEST_F(EmbedderTest, RefusalsAndGarbageAreErrorsNotVectors) {
  HttpEmbedder embedder = Make();
  server_.Answer(400, R"({"error": "input is too large to process"})");
  absl::Status refused = embedder.Embed("long").status();
  EXPECT_EQ(refused.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(refused.message()), HasSubstr("HTTP 400"));
  EXPECT_THAT(std::string(refused.message()), HasSubstr("too large"));
  server_.Answer(200, "<html>");
  EXPECT_EQ(embedder.Embed("html").status().code(), absl::StatusCode::kDataLoss);
  server_.Answer(200, R"({"data": []})");
  EXPECT_EQ(embedder.Embed("empty").status().code(), absl::StatusCode::kDataLoss);
  HttpEmbedder nowhere(transport_, {.base_url = "http://127.0.0.1:1/v1"}, "");
  EXPECT_EQ(nowhere.Embed("x").status().code(), absl::StatusCode::kUnavailable);
}

TEST(EmbeddingsWireTest, RequestAndReply) {
  EXPECT_EQ(EmbeddingsUrl("http://h:1/v1/"), "http://h:1/v1/embeddings");
  EXPECT_EQ(json::parse(EmbeddingsRequestBody("m", "text\xff")),
            json({{"model", "m"}, {"input", "text\xef\xbf\xbd"}}));
  absl::StatusOr<std::vector<float>> v = ParseEmbeddingsReply(R"({"data":[{"embedding":[3,4]}]})");
  ASSERT_TRUE(v.ok());
  EXPECT_FLOAT_EQ((*v)[0], 0.6f);
  EXPECT_FLOAT_EQ((*v)[1], 0.8f);
  for (const char* bad : {R"({"data":[{"embedding":[0,0]}]})", R"({"data":[{"embedding":["1"]}]})",
                          R"({"data":[{"embedding":[]}]})", R"({"data":{}})", "[]", "1e999"}) {
    EXPECT_EQ(ParseEmbeddingsReply(bad).status().code(), absl::StatusCode::kDataLoss) << bad;
  }
  EXPECT_EQ(CosineSimilarity({1, 0}, {1, 0, 0}), 0);  // different models
}

}  // namespace
}  // namespace cambrian::mutators
