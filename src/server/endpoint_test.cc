// The endpoint's GET routes: the embedded dashboard and its assets, /endpoints, /api/status and
// the request-latency histograms on /metrics. (AWS JSON routing is covered end to end by
// tests/e2e/dynamodb/test_protocol.py.)
#include "server/endpoint.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "core/clock.h"
#include "server/web_assets.h"

namespace tributary::server {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class EndpointGetTest : public ::testing::Test {
 protected:
  EndpointGetTest() {
    dynamodb::ApiContext context;
    context.clock = SystemClock::Default();
    endpoint_ = std::make_unique<Endpoint>(dynamodb::BuildRegistry(), context, std::nullopt, &metrics_);
  }

  HttpResponse Get(std::string_view path) {
    HttpRequest request;
    request.method = "GET";
    request.target = path;
    request.path = path.substr(0, path.find('?'));
    HttpResponse response;
    endpoint_->Handle(request, &response);
    return response;
  }

  MetricsRegistry metrics_;
  std::unique_ptr<Endpoint> endpoint_;
};

TEST_F(EndpointGetTest, DashboardAndEveryAssetItLinksAreEmbedded) {
  HttpResponse page = Get("/");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
  EXPECT_THAT(page.body, HasSubstr("<title>Tributary dashboard</title>"));
  // Every src=/href= the page uses is served by the binary itself: no CDN, no internet.
  std::set<std::string> links;
  std::regex link(R"((?:src|href)="([^"]+)\")");
  for (auto it = std::sregex_iterator(page.body.begin(), page.body.end(), link); it != std::sregex_iterator(); ++it) {
    links.insert((*it)[1]);
  }
  EXPECT_TRUE(links.count("/assets/uPlot.iife.min.js"));
  for (const std::string& target : links) {
    if (target.rfind("data:", 0) == 0) continue;
    ASSERT_THAT(target, StartsWith("/")) << "external link in the dashboard: " << target;
    HttpResponse asset = Get(target);
    EXPECT_EQ(asset.status, 200) << target;
    EXPECT_GT(asset.body.size(), 100u) << target;
  }
  HttpResponse js = Get("/assets/uPlot.iife.min.js");
  EXPECT_EQ(js.content_type, "text/javascript; charset=utf-8");
  EXPECT_THAT(js.body, HasSubstr("uPlot"));
  EXPECT_EQ(Get("/assets/style.css").content_type, "text/css; charset=utf-8");
  EXPECT_EQ(Get("/assets/nope.js").status, 404);
  EXPECT_NE(FindWebAsset("/assets/app.js"), nullptr);
}

TEST_F(EndpointGetTest, EndpointIndexStaysReachable) {
  HttpResponse index = Get("/endpoints");
  EXPECT_EQ(index.status, 200);
  EXPECT_THAT(index.body, HasSubstr("DynamoDB_20120810"));
  EXPECT_THAT(index.body, HasSubstr("/api/status"));
}

TEST_F(EndpointGetTest, StatusIs404UntilAHandlerIsSet) {
  HttpResponse none = Get("/api/status");
  EXPECT_EQ(none.status, 404);
  EXPECT_EQ(none.content_type, "application/json");
  EXPECT_THAT(none.body, HasSubstr("\"error\":\"not_found\""));

  int calls = 0;
  endpoint_->SetStatusHandler([&calls] {
    ++calls;
    return std::string(R"({"running":true})");
  });
  HttpResponse status = Get("/api/status?x=1");
  EXPECT_EQ(status.status, 200);
  EXPECT_EQ(status.body, R"({"running":true})");
  EXPECT_EQ(calls, 1);
}

TEST_F(EndpointGetTest, RequestLatencyHistogramsOnMetrics) {
  Get("/");
  Get("/api/status");
  const std::string text = Get("/metrics").body;
  EXPECT_THAT(text, HasSubstr("# TYPE tributary_http_request_duration_seconds histogram\n"));
  EXPECT_THAT(text, HasSubstr("tributary_http_request_duration_seconds_count{kind=\"page\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("tributary_http_request_duration_seconds_count{kind=\"api\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE tributary_http_requests_total counter\ntributary_http_requests_total 3\n"));
}

}  // namespace
}  // namespace tributary::server
