// The seed's three Athena queries, run unchanged by `tributary demo`.
#pragma once

#include <array>
#include <string_view>

namespace tributary::cli {

struct SeedQuery {
  std::string_view title;
  std::string_view sql;
};

inline constexpr std::array<SeedQuery, 3> kSeedQueries = {{
    {"latest modifications",
     "SELECT * FROM p1_kinesis_firehose_destination WHERE cdc_event_type = 'MODIFY' "
     "ORDER BY creation_datetime DESC LIMIT 10"},
    {"orders inserted today (UTC)",
     "SELECT COUNT(*) FROM p1_kinesis_firehose_destination "
     "WHERE cdc_event_type = 'INSERT' AND date(creation_datetime) = current_date"},
    {"changes over 300 in the last 10 minutes",
     "SELECT * FROM p1_kinesis_firehose_destination "
     "WHERE price > 300 AND creation_datetime >= now() - interval '10' minute"},
}};

}  // namespace tributary::cli
