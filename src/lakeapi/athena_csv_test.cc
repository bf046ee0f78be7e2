#include "lakeapi/athena_csv.h"

#include <gtest/gtest.h>

#include <fstream>

#include "testing/test_util.h"

namespace tributary::lakeapi {
namespace {

TEST(AthenaCsvTest, QuotesEveryValueAndWritesNullEmpty) {
  query::QueryResult r;
  r.column_names = {"id", "note"};
  r.rows = {{"a", "say \"hi\", ok"}, {"b", std::nullopt}, {"", "line\nbreak"}};
  EXPECT_EQ(ResultCsv(r), "\"id\",\"note\"\n\"a\",\"say \"\"hi\"\", ok\"\n\"b\",\n\"\",\"line\nbreak\"\n");
}

TEST(AthenaCsvTest, ReadsBackFromOffsets) {
  ::tributary::testing::TempDir dir;
  const std::string path = (dir.path() / "r.csv").string();
  query::QueryResult r;
  r.column_names = {"x", "y", "z"};
  r.rows = {{"1", std::nullopt, "a,b"}, {std::nullopt, std::nullopt, std::nullopt}, {"\"", "", "multi\nline"}};
  {
    std::ofstream out(path, std::ios::binary);
    out << ResultCsv(r);
  }
  auto reader = CsvRowReader::Open(path, 0);
  ASSERT_OK(reader);
  auto header = reader->Next();
  ASSERT_OK(header);
  ASSERT_TRUE(header->has_value());
  EXPECT_EQ(**header, (CsvRow{"x", "y", "z"}));
  const uint64_t after_header = reader->offset();
  std::vector<CsvRow> rows;
  while (true) {
    auto row = reader->Next();
    ASSERT_OK(row);
    if (!row->has_value()) break;
    rows.push_back(**row);
  }
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0], r.rows[0]);
  EXPECT_EQ(rows[1], r.rows[1]);
  EXPECT_EQ(rows[2], r.rows[2]);

  auto again = CsvRowReader::Open(path, after_header);
  ASSERT_OK(again);
  auto first = again->Next();
  ASSERT_OK(first);
  EXPECT_EQ(**first, r.rows[0]);
  EXPECT_FALSE(CsvRowReader::Open(path, 1 << 20).ok());
  EXPECT_FALSE(CsvRowReader::Open((dir.path() / "missing.csv").string(), 0).ok());
}

TEST(AthenaCsvTest, MalformedInputIsDataLoss) {
  ::tributary::testing::TempDir dir;
  const std::string path = (dir.path() / "bad.csv").string();
  {
    std::ofstream out(path, std::ios::binary);
    out << "\"unterminated\n";
  }
  auto reader = CsvRowReader::Open(path, 0);
  ASSERT_OK(reader);
  EXPECT_THAT(reader->Next(), ::tributary::testing::StatusIs(StatusCode::kDataLoss));
}

}  // namespace
}  // namespace tributary::lakeapi
