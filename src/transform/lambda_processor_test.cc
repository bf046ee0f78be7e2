#include "transform/lambda_processor.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "core/encoding.h"
#include "testing/test_util.h"
#include "transform/chain.h"

namespace tributary::transform {
namespace {

using ::tributary::testing::StatusIs;
using ::tributary::testing::TempDir;

// A handler written the way Firehose transformation Lambdas are written: base64-decode, add
// fields, set partitionKeys, mark bad records ProcessingFailed and drop some. Records with
// special "cmd" values misbehave on purpose.
constexpr char kHandler[] = R"PY(import base64
import json
import os
import time

print("module imported")  # must land in the log, not in the protocol


def lambda_handler(event, context):
    print("invoked with %d records" % len(event["records"]))
    output = []
    for record in event["records"]:
        payload = json.loads(base64.b64decode(record["data"]))
        cmd = payload.get("cmd")
        if cmd == "raise":
            raise ValueError("bad input " + str(payload.get("n")))
        if cmd == "sleep":
            time.sleep(30)
        if cmd == "crash":
            os._exit(3)
        if cmd == "huge":
            return {"records": [{"recordId": r["recordId"], "result": "Ok",
                                 "data": "A" * (7 * 1024 * 1024)} for r in event["records"]]}
        if cmd == "garbage":
            return {"not_records": []}
        if cmd == "omit":
            continue
        if cmd == "unknown-id":
            output.append({"recordId": "nope", "result": "Ok", "data": record["data"]})
            continue
        if cmd == "dup":
            output.append({"recordId": record["recordId"], "result": "Dropped"})
        if cmd == "bad-result":
            output.append({"recordId": record["recordId"], "result": "OK"})
            continue
        if cmd == "bad-base64":
            output.append({"recordId": record["recordId"], "result": "Ok", "data": "%%%"})
            continue
        if cmd == "bad-key":
            output.append({"recordId": record["recordId"], "result": "Ok", "data": record["data"],
                           "metadata": {"partitionKeys": {"customer_id": 7}}})
            continue
        if payload.get("amount", 0) < 0:
            output.append({"recordId": record["recordId"], "result": "ProcessingFailed",
                           "data": record["data"]})
            continue
        if payload.get("test"):
            output.append({"recordId": record["recordId"], "result": "Dropped",
                           "data": record["data"]})
            continue
        meta = record["kinesisRecordMetadata"]
        payload["enriched"] = True
        payload["amount_cents"] = int(round(payload.get("amount", 0) * 100))
        payload["batch_size"] = len(event["records"])
        payload["seen"] = {
            "invocation": bool(event["invocationId"]),
            "stream": event["deliveryStreamArn"],
            "source": event.get("sourceKinesisStreamArn"),
            "region": event["region"],
            "arrival": record["approximateArrivalTimestamp"],
            "shard": meta["shardId"],
            "pkey": meta["partitionKey"],
            "seq": meta["sequenceNumber"],
            "meta_arrival": meta["approximateArrivalTimestamp"],
            "fn": context.function_name,
            "arn": context.invoked_function_arn,
            "request": bool(context.aws_request_id),
            "remaining_ok": 0 < context.get_remaining_time_in_millis() <= 60000,
            "env_fn": os.environ.get("AWS_LAMBDA_FUNCTION_NAME"),
        }
        data = (json.dumps(payload, sort_keys=True) + "\n").encode()
        output.append({
            "recordId": record["recordId"],
            "result": "Ok",
            "data": base64.b64encode(data).decode(),
            "metadata": {"partitionKeys": {"customer_id": str(payload.get("customer_id"))}},
        })
    return {"records": output}
)PY";

class LambdaProcessorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    code_ = dir_.path() / "code";
    std::filesystem::create_directories(code_);
    std::ofstream(code_ / "lambda_function.py") << kHandler;
    env_.delivery_name = "orders";
    env_.source_stream_name = "orders-stream";
    env_.work_dir = (dir_.path() / "work").string();
  }

  std::unique_ptr<LambdaProcessor> Make(ProcessorParams extra = {}) {
    ProcessorParams params = {{"handler", "lambda_function.lambda_handler"},
                              {"code", code_.string()},
                              {"runtime", "python3"},
                              {"function_name", "enrich"}};
    for (auto& [k, v] : extra) params[k] = v;
    auto p = LambdaProcessor::Create(params, env_);
    EXPECT_OK(p);
    if (!p.ok()) return nullptr;
    return std::unique_ptr<LambdaProcessor>(static_cast<LambdaProcessor*>(p->release()));
  }

  // Runs datas through `p`; record ids "r<i>", shard "shardId-000000000001", arrival 1700000000000+i.
  Status Run(const Processor& p, const std::vector<std::string>& datas,
             std::vector<ProcessorOutput>& out) {
    ids_.clear();
    for (size_t i = 0; i < datas.size(); ++i) ids_.push_back("r" + std::to_string(i));
    std::vector<ProcessorInput> in(datas.size());
    for (size_t i = 0; i < datas.size(); ++i) {
      in[i] = ProcessorInput{ids_[i], datas[i], 1700000000000 + static_cast<int64_t>(i),
                             "shardId-000000000001", i % 2 == 0 ? "pk-0" : "pk-1",
                             ids_[i]};
    }
    return p.Process(in, out, nullptr);
  }

  TempDir dir_;
  std::filesystem::path code_;
  ProcessorEnv env_;
  std::vector<std::string> ids_;
};

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

TEST_F(LambdaProcessorTest, FirehoseHandlerRunsUnchanged) {
  auto p = Make();
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->arn(), "arn:aws:lambda:us-east-1:000000000000:function:enrich");
  EXPECT_EQ(p->BatchRetries(), 3);
  std::vector<ProcessorOutput> out;
  ASSERT_OK(Run(*p,
                {R"({"customer_id":"c1","amount":12.5})", R"({"customer_id":"c2","amount":-1})",
                 R"({"customer_id":"c3","test":true})", R"({"customer_id":"c4","amount":3})"},
                out));
  ASSERT_EQ(out.size(), 4u);
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(out[i].record_id, ids_[i]);

  ASSERT_EQ(out[0].result, ProcessingResult::kOk) << out[0].error_message;
  EXPECT_EQ(out[0].data,
            R"({"amount": 12.5, "amount_cents": 1250, "batch_size": 4, "customer_id": "c1", )"
            R"("enriched": true, "seen": {"arn": "arn:aws:lambda:us-east-1:000000000000:function:enrich", )"
            R"("arrival": 1700000000000, "env_fn": "enrich", "fn": "enrich", "invocation": true, )"
            R"("meta_arrival": 1700000000000, "pkey": "pk-0", "region": "us-east-1", )"
            R"("remaining_ok": true, "request": true, "seq": "r0", "shard": "shardId-000000000001", )"
            R"("source": "arn:aws:kinesis:us-east-1:000000000000:stream/orders-stream", )"
            R"("stream": "arn:aws:firehose:us-east-1:000000000000:deliverystream/orders"}})"
            "\n");
  EXPECT_EQ(out[0].partition_keys.ToMap(),
            (std::map<std::string, std::string>{{"customer_id", "c1"}}));
  EXPECT_EQ(out[1].result, ProcessingResult::kProcessingFailed);
  EXPECT_EQ(out[1].error_code, "Lambda.ProcessingFailed");
  EXPECT_EQ(out[2].result, ProcessingResult::kDropped);
  EXPECT_EQ(out[3].result, ProcessingResult::kOk);
  EXPECT_EQ(out[3].partition_keys.ToMap().at("customer_id"), "c4");
  EXPECT_NE(out[3].data.find(R"("pkey": "pk-1")"), std::string::npos);

  const std::string log = ReadAll(p->log_path());
  EXPECT_NE(log.find("module imported"), std::string::npos) << log;
  EXPECT_NE(log.find("invoked with 4 records"), std::string::npos) << log;
  EXPECT_NE(log.find("START RequestId: "), std::string::npos) << log;
  EXPECT_TRUE(std::filesystem::exists(env_.work_dir + "/lambda_adapter.py"));
}

TEST_F(LambdaProcessorTest, BadResponsesFailOnlyTheirRecords) {
  auto p = Make();
  ASSERT_NE(p, nullptr);
  std::vector<ProcessorOutput> out;
  ASSERT_OK(Run(*p,
                {R"({"cmd":"omit"})", R"({"cmd":"unknown-id"})", R"({"cmd":"dup","amount":1})",
                 R"({"cmd":"bad-result"})", R"({"cmd":"bad-base64"})", R"({"cmd":"bad-key"})",
                 R"({"customer_id":"ok","amount":1})"},
                out));
  ASSERT_EQ(out.size(), 7u);
  EXPECT_EQ(out[0].error_code, "Lambda.MissingRecordId");
  EXPECT_EQ(out[1].error_code, "Lambda.MissingRecordId");
  EXPECT_NE(out[1].error_message.find("unknown recordIds: 'nope'"), std::string::npos)
      << out[1].error_message;
  EXPECT_EQ(out[2].error_code, "Lambda.DuplicatedRecordId");
  EXPECT_EQ(out[3].error_code, "Lambda.InvalidRecordResult");
  EXPECT_NE(out[3].error_message.find("'OK'"), std::string::npos) << out[3].error_message;
  EXPECT_EQ(out[4].error_code, "Lambda.InvalidRecordResult");
  EXPECT_EQ(out[5].error_code, "Lambda.InvalidRecordResult");
  EXPECT_NE(out[5].error_message.find("partitionKeys.customer_id is not a string"),
            std::string::npos);
  for (size_t i = 0; i < 6; ++i) EXPECT_EQ(out[i].result, ProcessingResult::kProcessingFailed) << i;
  EXPECT_EQ(out[6].result, ProcessingResult::kOk);

  Status s = Run(*p, {R"({"cmd":"garbage"})"}, out);
  EXPECT_THAT(s, StatusIs(StatusCode::kUnavailable));
  EXPECT_NE(s.message().find("invalid response"), std::string::npos) << s.ToString();
}

TEST_F(LambdaProcessorTest, HandlerExceptionFailsTheInvocationWithTheTraceback) {
  auto p = Make();
  ASSERT_NE(p, nullptr);
  std::vector<ProcessorOutput> out;
  Status s = Run(*p, {R"({"amount":1})", R"({"cmd":"raise","n":42})"}, out);
  EXPECT_THAT(s, StatusIs(StatusCode::kUnavailable));
  EXPECT_NE(s.message().find("Lambda.FunctionError"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("ValueError: bad input 42"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("Traceback (most recent call last)"), std::string::npos);
  EXPECT_NE(s.message().find("lambda_function.py"), std::string::npos);
  // The worker survives a handler exception.
  const int starts = p->WorkerStarts();
  ASSERT_OK(Run(*p, {R"({"amount":1})"}, out));
  EXPECT_EQ(p->WorkerStarts(), starts);
}

TEST_F(LambdaProcessorTest, TimeoutKillsAndCrashRestartsTheWorker) {
  auto p = Make({{"timeout_seconds", "1"}});
  ASSERT_NE(p, nullptr);
  std::vector<ProcessorOutput> out;
  auto t0 = std::chrono::steady_clock::now();
  Status s = Run(*p, {R"({"cmd":"sleep"})"}, out);
  const auto waited = std::chrono::steady_clock::now() - t0;
  EXPECT_THAT(s, StatusIs(StatusCode::kDeadlineExceeded));
  EXPECT_NE(s.message().find("Task timed out after 1.00 seconds"), std::string::npos) << s.message();
  EXPECT_LT(waited, std::chrono::seconds(10));
  EXPECT_TRUE(p->IdleWorkerPids().empty());  // killed
  ASSERT_OK(Run(*p, {R"({"amount":2})"}, out));
  EXPECT_EQ(out[0].result, ProcessingResult::kOk);
  EXPECT_EQ(p->WorkerStarts(), 2);

  s = Run(*p, {R"({"cmd":"crash"})"}, out);
  EXPECT_THAT(s, StatusIs(StatusCode::kUnavailable));
  EXPECT_NE(s.message().find("exited with code 3"), std::string::npos) << s.message();
  ASSERT_OK(Run(*p, {R"({"amount":3})"}, out));
  EXPECT_EQ(out[0].result, ProcessingResult::kOk);
  EXPECT_EQ(p->WorkerStarts(), 3);

  // A worker killed from outside is restarted too.
  auto pids = p->IdleWorkerPids();
  ASSERT_EQ(pids.size(), 1u);
  ASSERT_EQ(kill(pids[0], SIGKILL), 0);
  s = Run(*p, {R"({"amount":4})"}, out);
  EXPECT_THAT(s, StatusIs(StatusCode::kUnavailable));
  ASSERT_OK(Run(*p, {R"({"amount":5})"}, out));
  EXPECT_EQ(p->WorkerStarts(), 4);
}

TEST_F(LambdaProcessorTest, ResponseOverSixMegabytesFailsTheInvocation) {
  auto p = Make();
  ASSERT_NE(p, nullptr);
  std::vector<ProcessorOutput> out;
  Status s = Run(*p, {R"({"cmd":"huge"})"}, out);
  EXPECT_THAT(s, StatusIs(StatusCode::kResourceExhausted));
  EXPECT_NE(s.message().find("exceeds the limit of 6291456 bytes"), std::string::npos)
      << s.message();
  ASSERT_OK(Run(*p, {R"({"amount":1})"}, out));
}

TEST_F(LambdaProcessorTest, BatchesAreSplitByBufferSizeAndRequestLimit) {
  LambdaProcessor::Options o;
  o.handler = "lambda_function.lambda_handler";
  o.code_dir = code_.string();
  o.function_name = "enrich";
  o.buffer_bytes = 100;        // about three of the records below per invocation
  o.max_request_bytes = 3000;  // and a record over ~2.6 KB cannot be sent at all
  auto p = LambdaProcessor::CreateWithOptions(o, env_);
  ASSERT_OK(p);
  std::vector<std::string> datas;
  for (int i = 0; i < 7; ++i) {
    datas.push_back(R"({"customer_id":"c)" + std::to_string(i) + R"(","amount":1})");
  }
  datas.push_back(R"({"customer_id":"big","pad":")" + std::string(2500, 'x') + R"("})");
  std::vector<ProcessorOutput> out;
  ASSERT_OK(Run(**p, datas, out));
  ASSERT_EQ(out.size(), 8u);
  for (size_t i = 0; i < 7; ++i) {
    ASSERT_EQ(out[i].result, ProcessingResult::kOk) << i;
    if (i == 6) break;  // the last of the seven goes alone (the big record cannot join it)
    EXPECT_NE(out[i].data.find(R"("batch_size": 3)"), std::string::npos) << i << ": " << out[i].data;
  }
  EXPECT_NE(out[6].data.find(R"("batch_size": 1)"), std::string::npos) << out[6].data;
  EXPECT_EQ(out[7].result, ProcessingResult::kProcessingFailed);
  EXPECT_EQ(out[7].error_code, "Lambda.RequestTooLarge");
}

TEST_F(LambdaProcessorTest, ConfigErrorsNameTheParameter) {
  std::ofstream(code_ / "broken.py") << "def handler(event, context)\n    return event\n";
  auto check = [&](ProcessorParams params, const std::string& param, const std::string& text) {
    auto p = LambdaProcessor::Create(params, env_);
    ASSERT_FALSE(p.ok()) << param;
    EXPECT_EQ(ParamErrorName(p.status()), param) << p.status().ToString();
    EXPECT_NE(p.status().message().find(text), std::string::npos) << p.status().ToString();
  };
  const std::string code = code_.string();
  check({{"code", code}}, "handler", "required");
  check({{"handler", "nodot"}, {"code", code}}, "handler", "is not <module>.<function>");
  check({{"handler", "a.b"}, {"code", code + "/missing"}}, "code", "is not a directory");
  check({{"handler", "broken.handler"}, {"code", code}}, "handler", "SyntaxError");
  check({{"handler", "nomodule.handler"}, {"code", code}}, "handler", "ModuleNotFoundError");
  check({{"handler", "lambda_function.nofn"}, {"code", code}}, "handler", "AttributeError");
  check({{"handler", "a.b"}, {"code", code}, {"runtime", "nodejs18.x"}}, "runtime",
        "not supported");
  check({{"handler", "a.b"}, {"code", code}, {"timeout_seconds", "301"}}, "timeout_seconds",
        "between 1 and 300");
  check({{"handler", "a.b"}, {"code", code}, {"buffer_size_mb", "4"}}, "buffer_size_mb",
        "between 0.2 and 3");
  check({{"handler", "a.b"}, {"code", code}, {"number_of_retries", "-1"}}, "number_of_retries",
        "between 0 and 300");
  // Relative code directories resolve against the config file's directory.
  ProcessorEnv env = env_;
  env.base_dir = dir_.str();
  auto rel = LambdaProcessor::Create(
      {{"handler", "lambda_function.lambda_handler"}, {"code", "code"}}, env);
  ASSERT_OK(rel);
  EXPECT_EQ((*rel)->arn(), "arn:aws:lambda:us-east-1:000000000000:function:orders-transform");
}

TEST_F(LambdaProcessorTest, ConcurrentCallsUseSeparateWorkers) {
  auto p = Make({{"max_workers", "2"}});
  ASSERT_NE(p, nullptr);
  std::atomic<int> bad{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 5; ++round) {
        std::vector<std::string> ids;
        std::vector<std::string> datas;
        for (int i = 0; i < 5; ++i) {
          datas.push_back(R"({"customer_id":"t)" + std::to_string(t) + "-" + std::to_string(i) +
                          R"(","amount":1})");
          ids.push_back("t" + std::to_string(t) + "r" + std::to_string(i));
        }
        std::vector<ProcessorInput> in(datas.size());
        for (size_t i = 0; i < datas.size(); ++i) {
          in[i] = ProcessorInput{ids[i], datas[i], 1, "s", "p", ids[i]};
        }
        std::vector<ProcessorOutput> out;
        if (!p->Process(in, out, nullptr).ok()) {
          ++bad;
          continue;
        }
        for (size_t i = 0; i < datas.size(); ++i) {
          if (out[i].record_id != ids[i] ||
              out[i].partition_keys.ToMap()["customer_id"] !=
                  "t" + std::to_string(t) + "-" + std::to_string(i)) {
            ++bad;
          }
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_LE(p->WorkerStarts(), 2);
}

}  // namespace
}  // namespace tributary::transform
