// Catalog::ReplaceFiles (compaction's one-transaction swap), the retired list and the log.
#include <gtest/gtest.h>

#include <thread>

#include "catalog/catalog_test_util.h"

namespace tributary::catalog {
namespace {

using testing_util::CatalogTestBase;
using testing_util::SalesFile;
using testing_util::SalesTable;
using ::tributary::testing::StatusIs;

class CatalogCompactionTest : public CatalogTestBase {
 protected:
  void SetUp() override {
    CatalogTestBase::SetUp();
    ASSERT_OK(catalog_->EnsureTable(SalesTable()));
    ASSERT_OK(catalog_->CommitFiles("sales", {}, {SalesFile("sales/a.json", "10", 3), SalesFile("sales/b.json", "10", 4),
                                                  SalesFile("sales/c.json", "10", 5)},
                                    {"delivery/d/shard-0", "9"}));
  }

  std::vector<std::string> Paths() {
    auto files = catalog_->ListFiles("sales");
    EXPECT_OK(files);
    std::vector<std::string> out;
    if (files.ok()) {
      for (const auto& f : *files) out.push_back(f.path);
    }
    return out;
  }
};

TEST_F(CatalogCompactionTest, SwapsFilesInOneTransactionAndRetiresTheOldOnes) {
  clock_.AdvanceMillis(5000);
  ASSERT_OK(catalog_->ReplaceFiles("sales", {"sales/a.json", "sales/b.json"}, {SalesFile("sales/ab.json", "10", 7)}));
  EXPECT_EQ(Paths(), (std::vector<std::string>{"sales/c.json", "sales/ab.json"}));
  auto stats = catalog_->GetTableStats("sales");
  ASSERT_OK(stats);
  EXPECT_EQ(stats->rows, 12);
  EXPECT_EQ(stats->files, 2);
  EXPECT_FALSE(*catalog_->IsFileRegistered("sales/a.json"));
  auto retired = catalog_->ListRetiredFiles();
  ASSERT_OK(retired);
  ASSERT_EQ(retired->size(), 2u);
  EXPECT_EQ((*retired)[0].path, "sales/a.json");
  EXPECT_EQ((*retired)[0].table, "sales");
  EXPECT_EQ((*retired)[0].size_bytes, 300);
  EXPECT_EQ((*retired)[0].retired_ms, 1700000005000);
  auto cs = catalog_->GetCompactionStats("sales");
  ASSERT_OK(cs);
  EXPECT_EQ(cs->compactions, 1);
  EXPECT_EQ(cs->files_in, 2);
  EXPECT_EQ(cs->files_out, 1);
  EXPECT_EQ(cs->bytes_in, 700);
  EXPECT_EQ(cs->retired_pending, 2);
  // The checkpoint is not touched by a swap.
  EXPECT_EQ(catalog_->GetCheckpoint("delivery/d/shard-0")->value_or(""), "9");

  ASSERT_OK(catalog_->ForgetRetiredFiles({"sales/a.json", "sales/nope.json"}));
  retired = catalog_->ListRetiredFiles();
  ASSERT_OK(retired);
  ASSERT_EQ(retired->size(), 1u);
  EXPECT_EQ((*retired)[0].path, "sales/b.json");
}

TEST_F(CatalogCompactionTest, ASecondSwapOfTheSameFilesIsRefusedAndChangesNothing) {
  ASSERT_OK(catalog_->ReplaceFiles("sales", {"sales/a.json", "sales/b.json"}, {SalesFile("sales/ab.json", "10", 7)}));
  // A second compactor that planned from the same old snapshot.
  EXPECT_THAT(catalog_->ReplaceFiles("sales", {"sales/b.json", "sales/c.json"}, {SalesFile("sales/bc.json", "10", 9)}),
              StatusIs(StatusCode::kAborted));
  EXPECT_EQ(Paths(), (std::vector<std::string>{"sales/c.json", "sales/ab.json"}));
  EXPECT_EQ(catalog_->ListRetiredFiles()->size(), 2u);
  EXPECT_EQ(catalog_->GetTableStats("sales")->rows, 12);
}

TEST_F(CatalogCompactionTest, RejectsBadSwapsWithoutChangingAnything) {
  // Rows must add up.
  EXPECT_THAT(catalog_->ReplaceFiles("sales", {"sales/a.json", "sales/b.json"}, {SalesFile("sales/ab.json", "10", 6)}),
              StatusIs(StatusCode::kInvalidArgument));
  // A new path that is already registered.
  EXPECT_THAT(catalog_->ReplaceFiles("sales", {"sales/a.json", "sales/b.json"}, {SalesFile("sales/c.json", "10", 7)}),
              StatusIs(StatusCode::kAlreadyExists));
  // A file of another table is not a current file of this one.
  ASSERT_OK(catalog_->EnsureTable(SalesTable("other")));
  ASSERT_OK(catalog_->CommitFiles("other", {}, {SalesFile("other/x.json", "10", 3)}, {}));
  EXPECT_THAT(catalog_->ReplaceFiles("sales", {"other/x.json"}, {SalesFile("sales/x2.json", "10", 3)}),
              StatusIs(StatusCode::kAborted));
  EXPECT_THAT(catalog_->ReplaceFiles("sales", {}, {}), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(catalog_->ReplaceFiles("sales", {"sales/a.json", "sales/a.json"}, {SalesFile("sales/aa.json", "10", 6)}),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(catalog_->ReplaceFiles("sales", {"sales/a.json"}, {SalesFile("sales/_tmp.json", "10", 3)}),
              StatusIs(StatusCode::kInvalidArgument));
  DataFile unpartitioned = SalesFile("sales/u.json", "10", 3);
  unpartitioned.partition_values.clear();
  EXPECT_THAT(catalog_->ReplaceFiles("sales", {"sales/a.json"}, {unpartitioned}), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(Paths(), (std::vector<std::string>{"sales/a.json", "sales/b.json", "sales/c.json"}));
  EXPECT_TRUE(catalog_->ListRetiredFiles()->empty());
  EXPECT_EQ(catalog_->GetCompactionStats("sales")->compactions, 0);
}

TEST_F(CatalogCompactionTest, ConcurrentCompactorsNeverDoubleCount) {
  // Two catalog connections (as two processes would have) race to replace overlapping sets.
  auto other = OpenCatalog();
  ASSERT_NE(other, nullptr);
  Status s1, s2;
  std::thread t1([&] { s1 = catalog_->ReplaceFiles("sales", {"sales/a.json", "sales/b.json"}, {SalesFile("sales/x.json", "10", 7)}); });
  std::thread t2([&] { s2 = other->ReplaceFiles("sales", {"sales/b.json", "sales/c.json"}, {SalesFile("sales/y.json", "10", 9)}); });
  t1.join();
  t2.join();
  EXPECT_NE(s1.ok(), s2.ok()) << s1.ToString() << " / " << s2.ToString();
  EXPECT_EQ(catalog_->GetTableStats("sales")->rows, 12);
  EXPECT_EQ(catalog_->GetTableStats("sales")->files, 2);
}

TEST_F(CatalogCompactionTest, ADeliveryCommitDuringCompactionIsKept) {
  // Delivery adds a file to the same partition after the compactor planned: the swap only
  // removes what it names, so the new file stays.
  ASSERT_OK(catalog_->CommitFiles("sales", {}, {SalesFile("sales/d.json", "10", 2)}, {"delivery/d/shard-0", "11"}));
  ASSERT_OK(catalog_->ReplaceFiles("sales", {"sales/a.json", "sales/b.json", "sales/c.json"},
                                   {SalesFile("sales/abc.json", "10", 12)}));
  EXPECT_EQ(Paths(), (std::vector<std::string>{"sales/d.json", "sales/abc.json"}));
  EXPECT_EQ(catalog_->GetTableStats("sales")->rows, 14);
}

}  // namespace
}  // namespace tributary::catalog
