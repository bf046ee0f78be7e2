// Sharing: threads on one Catalog, several Catalog objects on one file, several processes, and a
// commit surviving kill -9 of the committing process.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>
#include <string>
#include <thread>
#include <vector>

#include "catalog/catalog.h"
#include "catalog/catalog_test_util.h"

namespace tributary::catalog {
namespace {

using testing_util::SalesFile;
using testing_util::SalesTable;

class CatalogConcurrencyTest : public testing_util::CatalogTestBase {
 protected:
  void SetUp() override {
    CatalogTestBase::SetUp();
    ASSERT_OK(catalog_->EnsureTable(SalesTable()));
  }

  // Commits `count` files named sales/<prefix>-<i>.json with checkpoint <prefix> = i, one per
  // transaction, each observing a column named after the prefix.
  static Status CommitMany(Catalog& catalog, const std::string& prefix, int count) {
    for (int i = 0; i < count; ++i) {
      std::string path = "sales/" + prefix + "-" + std::to_string(i) + ".json";
      TRIB_RETURN_IF_ERROR(catalog.CommitFiles("sales", {{"col_" + prefix, ColumnType::kBigint}},
                                               {SalesFile(path, std::to_string(i % 24))},
                                               {"cp/" + prefix, std::to_string(i)}));
    }
    return Status::Ok();
  }

  void ExpectAllCommitted(Catalog& catalog, const std::vector<std::string>& prefixes, int count) {
    auto files = catalog.ListFiles("sales");
    ASSERT_OK(files);
    EXPECT_EQ(files->size(), prefixes.size() * count);
    std::set<std::string> paths;
    for (const auto& f : *files) paths.insert(f.path);
    for (const auto& prefix : prefixes) {
      for (int i = 0; i < count; ++i) {
        EXPECT_TRUE(paths.count("sales/" + prefix + "-" + std::to_string(i) + ".json"))
            << prefix << " " << i;
      }
      auto cp = catalog.GetCheckpoint("cp/" + prefix);
      ASSERT_OK(cp);
      EXPECT_EQ(cp->value_or(""), std::to_string(count - 1));
    }
    auto table = catalog.GetTable("sales");
    ASSERT_OK(table);
    EXPECT_EQ(table->columns.size(), prefixes.size());
    EXPECT_EQ(table->schema_version, 1 + static_cast<int64_t>(prefixes.size()));
  }
};

TEST_F(CatalogConcurrencyTest, TwoInstancesOnOneFile) {
  auto reader = OpenCatalog();
  ASSERT_NE(reader, nullptr);
  // The reader sees the writer's table and each commit as soon as it returns.
  ASSERT_OK(reader->GetTable("sales"));
  for (int i = 0; i < 3; ++i) {
    std::string path = "sales/w-" + std::to_string(i) + ".json";
    ASSERT_OK(catalog_->CommitFiles("sales", {{"amount", ColumnType::kBigint}}, {SalesFile(path)},
                                    {"cp", std::to_string(i)}));
    auto registered = reader->IsFileRegistered(path);
    ASSERT_OK(registered);
    EXPECT_TRUE(*registered);
    auto cp = reader->GetCheckpoint("cp");
    ASSERT_OK(cp);
    EXPECT_EQ(cp->value_or(""), std::to_string(i));
    auto stats = reader->GetTableStats("sales");
    ASSERT_OK(stats);
    EXPECT_EQ(stats->files, i + 1);
  }
  auto table = reader->GetTable("sales");
  ASSERT_OK(table);
  EXPECT_EQ(table->columns, (std::vector<Column>{{"amount", ColumnType::kBigint}}));
  // And the other way round: the second instance writes, the first reads.
  ASSERT_OK(reader->CommitFiles("sales", {}, {SalesFile("sales/r.json")}, {}));
  EXPECT_TRUE(*catalog_->IsFileRegistered("sales/r.json"));
}

TEST_F(CatalogConcurrencyTest, ThreadsSharingOneCatalogLoseNothing) {
  constexpr int kThreads = 4;
  constexpr int kCommits = 20;
  std::vector<std::string> prefixes;
  for (int t = 0; t < kThreads; ++t) prefixes.push_back("t" + std::to_string(t));
  std::vector<Status> results(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] { results[t] = CommitMany(*catalog_, prefixes[t], kCommits); });
  }
  // Readers run alongside the writers.
  std::thread reader([&] {
    for (int i = 0; i < 20; ++i) {
      EXPECT_OK(catalog_->ListFiles("sales"));
      EXPECT_OK(catalog_->GetTableStats("sales"));
    }
  });
  for (auto& t : threads) t.join();
  reader.join();
  for (const auto& s : results) ASSERT_OK(s);
  ExpectAllCommitted(*catalog_, prefixes, kCommits);
}

TEST_F(CatalogConcurrencyTest, ThreadsWithTheirOwnCatalogsLoseNothing) {
  constexpr int kThreads = 3;
  constexpr int kCommits = 15;
  std::vector<std::string> prefixes;
  std::vector<std::unique_ptr<Catalog>> catalogs;
  for (int t = 0; t < kThreads; ++t) {
    prefixes.push_back("c" + std::to_string(t));
    catalogs.push_back(OpenCatalog());
    ASSERT_NE(catalogs.back(), nullptr);
  }
  std::vector<Status> results(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] { results[t] = CommitMany(*catalogs[t], prefixes[t], kCommits); });
  }
  for (auto& t : threads) t.join();
  for (const auto& s : results) ASSERT_OK(s);
  ExpectAllCommitted(*catalog_, prefixes, kCommits);
}

TEST_F(CatalogConcurrencyTest, TwoProcessesCommitConcurrently) {
  constexpr int kCommits = 15;
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // Child: its own connection (never use the parent's after fork).
    auto catalog = Catalog::Open(db_path());
    bool ok = catalog.ok() && CommitMany(**catalog, "child", kCommits).ok();
    _exit(ok ? 0 : 1);
  }
  Status parent = CommitMany(*catalog_, "parent", kCommits);
  int wstatus = 0;
  ASSERT_EQ(waitpid(child, &wstatus, 0), child);
  ASSERT_OK(parent);
  ASSERT_TRUE(WIFEXITED(wstatus));
  ASSERT_EQ(WEXITSTATUS(wstatus), 0);
  ExpectAllCommitted(*catalog_, {"child", "parent"}, kCommits);
}

TEST_F(CatalogConcurrencyTest, AcknowledgedCommitSurvivesKill9) {
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(pipe_fds[0]);
    auto catalog = Catalog::Open(db_path());
    char ack = 'n';
    if (catalog.ok() && (*catalog)
                            ->CommitFiles("sales", {{"amount", ColumnType::kDouble}},
                                          {SalesFile("sales/acked.json")}, {"cp", "acked"})
                            .ok()) {
      ack = 'y';
    }
    if (write(pipe_fds[1], &ack, 1) != 1) _exit(2);
    for (;;) pause();  // killed here, connection still open, WAL not checkpointed
  }
  close(pipe_fds[1]);
  char ack = 0;
  ASSERT_EQ(read(pipe_fds[0], &ack, 1), 1);
  close(pipe_fds[0]);
  kill(child, SIGKILL);
  int wstatus = 0;
  ASSERT_EQ(waitpid(child, &wstatus, 0), child);
  ASSERT_EQ(ack, 'y');

  catalog_.reset();
  auto reopened = OpenCatalog();
  ASSERT_NE(reopened, nullptr);
  EXPECT_TRUE(*reopened->IsFileRegistered("sales/acked.json"));
  auto cp = reopened->GetCheckpoint("cp");
  ASSERT_OK(cp);
  EXPECT_EQ(cp->value_or(""), "acked");
  EXPECT_EQ(reopened->GetTable("sales")->columns.size(), 1u);
}

}  // namespace
}  // namespace tributary::catalog
