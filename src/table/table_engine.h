// TableEngine: the embedded DynamoDB-compatible table store on RocksDB, with a DynamoDB
// Streams-compatible change stream per table.
//
// Data layout (one RocksDB database, three column families):
//   default : "table/<name>" -> TableMeta; "counters/<id>" -> (item count, bytes) via merge
//             (tables and indexes); "next_table_id"; "seq_floor"; "trim/<id><shard>" -> last
//             trimmed counter
//   items   : table_id + ordered(hash) [+ ordered(range)] -> item (item_codec.h)
//             index_id + ordered(index hash) [+ ordered(index range)] + the item's key without
//             its table_id -> the item's projection (secondary indexes; ids from the table-id
//             counter, so an index's entries are one contiguous range)
//   streams : table_id + shard + counter -> record (table_stream.h)
// Table ids are never reused, so a re-created table never sees an old table's data.
//
// Writes: every mutation, its index entries, its stream record and its counter updates are ONE
// atomic WriteBatch. An item is in a secondary index exactly when it has all of the index's key
// attributes (sparse indexes); a write whose index key has the wrong type is rejected.
// A write that changes nothing (same item put again, update to the same values, delete of a
// missing item) writes nothing and emits no record.
//
// Streams: a table's stream has spec.stream_shard_count shards; an item's records always go to
// the shard picked by a stable hash of its partition key, so per-item order holds. Sequence
// numbers come from one engine-wide counter, are strictly increasing per shard (assignment and
// commit happen under the shard's mutex, so a shard's committed records are always a prefix in
// sequence order: a reader never skips a record that commits later), and are never reused: on
// open the counter resumes above the highest record in any shard and above "seq_floor", which
// DeleteTable and TrimStream persist before removing records.
//
// Thread-safety: all methods are thread-safe. Read-modify-write of one item is atomic: writers
// lock one of kLockStripes mutexes chosen by the item key's hash, so writers of different items
// rarely contend. Lock order: table (shared; DeleteTable exclusive) -> item stripe -> shard.
// Reads (GetItem, Query, Scan, ReadStream) take no item locks and see committed data only.
// Table metadata that can change (indexes, billing, TTL, tags) is changed under the table's
// alive_mu held exclusively (UpdateTable, MutateTable); writers, Query, Scan and Describe hold it
// shared.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/attribute_value.h"
#include "core/change_record.h"
#include "core/clock.h"
#include "core/metrics.h"
#include "core/status.h"
#include "table/expression_parser.h"
#include "table/table_metadata.h"
#include "table/update_expression.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
class WriteBatch;
}  // namespace rocksdb

namespace tributary::table {

struct TableState;
struct PendingRecord;

struct UpdateSpec {
  std::string update_expression;  // "" = no expression (UpdateItem then only ensures the item exists)
  ExpressionAttributeNames expression_attribute_names;
  AttributeMap expression_attribute_values;
};

// Called under the item's lock with the current item (nullptr when absent) before a write; a
// non-ok status aborts the write and is returned (ConditionExpression -> kFailedPrecondition).
using WriteCondition = std::function<Status(const Item* current)>;

struct WriteOptions {
  bool return_old_item = false;  // PutItem only; UpdateItem and DeleteItem always return it
  WriteCondition condition;
};

// The outcome of a write.
struct WriteResult {
  std::optional<Item> old_item;  // before the write, when it existed (PutItem: if requested)
  std::optional<Item> new_item;  // after the write (UpdateItem; PutItem: the item written)
  bool changed = false;          // false for a no-op write
  bool stream_record = false;    // a stream record was committed with the write
  std::string shard_id;          // of the record
  std::string sequence_number;   // of the record
};

enum class RangeOp : uint8_t { kEq, kLt, kLe, kGt, kGe, kBetween, kBeginsWith };

struct RangeCondition {
  RangeOp op = RangeOp::kEq;
  AttributeValue value;
  AttributeValue value2;  // upper bound for kBetween
};

// Query and Scan read the table, or with `index_name` a secondary index (GSI or LSI): then
// hash_value/range are on the index's keys, items are the index's projections, and
// ExclusiveStartKey / LastEvaluatedKey hold the table's key AND the index's key attributes.
// Unknown index: ValidationException "The table does not have the specified index: <name>".
// (The data plane wires IndexName here; ConsistentRead=true on a GSI is its check.)
struct QuerySpec {
  std::string index_name;  // "" = the table
  // On a local secondary index whose projection is not ALL: return the table's full items (what
  // DynamoDB does for Select=ALL_ATTRIBUTES or non-projected attributes on an LSI). Ignored on
  // the table and on GSIs (there DynamoDB rejects such requests: the data plane's check).
  bool fetch_table_items = false;
  AttributeValue hash_value;
  std::optional<RangeCondition> range;
  int limit = 0;  // 0 = no limit (the 1 MB page cap still applies)
  std::optional<Item> exclusive_start_key;
  bool scan_forward = true;
};

struct ScanSpec {
  std::string index_name;  // "" = the table
  bool fetch_table_items = false;  // as QuerySpec::fetch_table_items
  int limit = 0;
  std::optional<Item> exclusive_start_key;
};

struct Page {
  std::vector<Item> items;
  std::optional<Item> last_evaluated_key;  // set when more items remain
};

struct ListTablesResult {
  std::vector<std::string> table_names;
  std::optional<std::string> last_evaluated_table_name;
};

// One request of BatchWriteItem: a put (item) or a delete (key).
struct WriteRequest {
  static WriteRequest Put(Item item) { return {std::move(item), false}; }
  static WriteRequest Delete(Item key) { return {std::move(key), true}; }
  Item item;  // the item to put, or the key to delete
  bool is_delete = false;
};

// UpdateTable: every field is optional; an empty update is a ValidationException (the API layer
// words it). New GSIs are backfilled from the existing items before UpdateTable returns.
struct TableUpdate {
  std::optional<BillingMode> billing_mode;
  std::optional<Throughput> throughput;
  std::vector<KeyAttribute> attribute_definitions;  // merged into the table's, for new indexes
  std::vector<IndexSpec> create_indexes;            // GSIs only
  std::vector<std::string> delete_indexes;
  std::vector<std::pair<std::string, Throughput>> update_indexes;
};

// One action of TransactWriteItems. `item` is the item (kPut) or the key (others).
struct TransactWriteAction {
  enum class Kind : uint8_t { kPut, kUpdate, kDelete, kConditionCheck };
  Kind kind = Kind::kPut;
  std::string table;
  Item item;
  UpdateExpression update;  // kUpdate
  WriteCondition condition;  // kConditionCheck requires one; optional for the others
  bool return_item_on_condition_failure = false;  // ReturnValuesOnConditionCheckFailure=ALL_OLD
};

// Why a transaction was cancelled, per action in request order: code "None" for actions that
// did not fail, "ConditionalCheckFailed" (message "The conditional request failed", item when
// requested), or "ValidationError" (message says why).
struct CancellationReason {
  std::string code = "None";
  std::string message;
  std::optional<Item> item;
};

// One item of TransactGetItems: the key of an item in `table`.
struct TransactGetAction {
  std::string table;
  Item key;
};

struct ShardDescription {
  std::string shard_id;
  std::string starting_sequence_number;  // first retained record, "" when the shard is empty
};

class TableEngine {
 public:
  struct Options {
    std::string region = "us-east-1";
    std::string account_id = "000000000000";
    const Clock* clock = nullptr;  // SystemClock::Default() when null; must outlive the engine
    int stream_retention_hours = 24;
    bool sync_writes = false;  // fsync the WAL on every write
  };

  static constexpr size_t kLockStripes = 256;
  static constexpr size_t kPageBytes = 1024 * 1024;

  static Result<std::unique_ptr<TableEngine>> Open(const std::string& dir, Options options);
  ~TableEngine();
  TableEngine(const TableEngine&) = delete;
  TableEngine& operator=(const TableEngine&) = delete;

  // Control plane.
  Result<TableDescription> CreateTable(const TableSpec& spec);
  Result<TableDescription> DescribeTable(std::string_view table) const;
  // Names sorted; limit 0 = all.
  Result<ListTablesResult> ListTables(std::string_view exclusive_start = "", int limit = 0) const;
  // Removes the table's items and stream; returns its last description with status "DELETING".
  Result<TableDescription> DeleteTable(std::string_view table);
  // Billing/throughput changes and GSI create (backfilled) / delete. The description returned
  // shows new indexes as "CREATING" (DescribeTable afterwards shows them "ACTIVE").
  // Stream enable/disable is not here: that is the stream side's (table_stream*.cc); it can
  // change a table's stream metadata with MutateTable.
  Result<TableDescription> UpdateTable(std::string_view table, const TableUpdate& update);
  // Runs `change` on the table's metadata with the table locked exclusively (no write, Query or
  // Scan in flight), then persists the metadata. A non-ok status from `change` aborts (the
  // in-memory state must then be unchanged). TableState is internal (table_state.h).
  Status MutateTable(std::string_view table, const std::function<Status(TableState&)>& change);

  // Time to live: the attribute (N, epoch seconds) after which an item expires.
  Status SetTimeToLive(std::string_view table, const TimeToLive& ttl);
  // Deletes items whose TTL attribute is at or before the Clock's now (and not more than five
  // years before, as DynamoDB), in every table with TTL enabled; each deletion is a REMOVE
  // record (from the service: ChangeRecord user identity, see the stream side). Returns how many.
  Result<int64_t> ExpireItems();

  // Tags (the API layer maps the resource ARN to the table).
  Status TagTable(std::string_view table, const std::map<std::string, std::string>& tags);
  Status UntagTable(std::string_view table, const std::vector<std::string>& keys);
  Result<std::map<std::string, std::string>> ListTags(std::string_view table) const;

  // Data plane.
  Result<WriteResult> PutItem(std::string_view table, Item item, const WriteOptions& options = {});
  Result<std::optional<Item>> GetItem(std::string_view table, const Item& key) const;
  Result<WriteResult> UpdateItem(std::string_view table, const Item& key, const UpdateSpec& update,
                                 const WriteOptions& options = {});
  // Pre-parsed form, for callers that apply one expression many times.
  Result<WriteResult> UpdateItem(std::string_view table, const Item& key, const UpdateExpression& update,
                                 const WriteOptions& options = {});
  Result<WriteResult> DeleteItem(std::string_view table, const Item& key, const WriteOptions& options = {});
  // Puts and deletes in ONE atomic RocksDB write (all or nothing; DynamoDB promises less), so a
  // batch costs about one single write: the fast path for bulk loads. Keys must be distinct.
  // Results are in request order, without images (like DynamoDB's BatchWriteItem); no-op
  // requests emit no record. No size limit here; the API layer enforces DynamoDB's 25.
  Result<std::vector<WriteResult>> BatchWriteItem(std::string_view table, std::vector<WriteRequest> requests);
  Result<Page> Query(std::string_view table, const QuerySpec& query) const;
  Result<Page> Scan(std::string_view table, const ScanSpec& scan) const;

  // Transactions. All actions (at most 100, on distinct items; the API layer enforces both and
  // words the errors) commit in ONE atomic RocksDB write with every item's stream record, or none
  // does. Conditions run under the items' locks (stripes taken ascending). On cancellation
  // returns kAborted with `reasons` filled (one per action, request order); other errors are
  // returned as is (nothing written).
  Status TransactWriteItems(std::vector<TransactWriteAction>& actions, std::vector<CancellationReason>* reasons);
  // One consistent snapshot; results in request order (nullopt: no such item).
  Result<std::vector<std::optional<Item>>> TransactGetItems(const std::vector<TransactGetAction>& gets) const;

  // Streams.
  Result<std::vector<ShardDescription>> ListStreamShards(std::string_view table) const;
  // Records after `after_sequence` ("" = from the trim horizon), oldest first. kOutOfRange when
  // records after `after_sequence` have been trimmed (TrimmedDataAccessException).
  Result<std::vector<ChangeRecord>> ReadStream(std::string_view table, std::string_view shard_id,
                                               std::string_view after_sequence, int max_records) const;
  // Sequence number of the shard's newest record, "" if it never had one.
  Result<std::string> LatestSequence(std::string_view table, std::string_view shard_id) const;
  // Incremented after every committed write that emitted a stream record.
  uint64_t stream_version() const { return stream_version_.load(); }
  // Blocks until stream_version() != seen_version or timeout_ms passes; true if it changed.
  bool WaitForStreamRecords(uint64_t seen_version, int64_t timeout_ms) const;
  // Deletes records older than the retention period (by the Clock); returns how many.
  Result<int64_t> TrimStream();

  const Options& options() const { return options_; }

 private:
  class ItemWriter;
  struct Mutation;
  friend class StreamAdmin;  // stream lifecycle and views (table_stream_admin.h)
  TableEngine(Options options);

  Status Init(const std::string& dir);
  Result<std::shared_ptr<TableState>> FindTable(std::string_view name) const;
  TableDescription Describe(const TableState& t) const;
  size_t StripeIndex(std::string_view item_key) const;
  std::mutex& StripeFor(std::string_view item_key) const { return stripes_[StripeIndex(item_key)]; }
  struct CounterDeltas {
    int64_t count = 0;
    int64_t bytes = 0;
    std::vector<std::pair<int64_t, int64_t>> indexes;  // (count, bytes) per index, if touched
  };
  // Adds the index entry changes of one item mutation (encoded old/new values, nullptr = absent)
  // to `batch`; InvalidArgument when the new item has an index key of the wrong type.
  Status AddIndexMutations(const TableState& t, std::string_view item_key, const std::string* old_value,
                           const std::string* new_value, rocksdb::WriteBatch* batch, CounterDeltas* deltas);
  Status PersistMeta(const TableState& t, rocksdb::WriteBatch* batch);
  Status BackfillIndex(TableState& t, size_t index);
  // Replaces the index entries of `page` by the table's items (LSI fetches; see QuerySpec).
  Status FetchTableItems(const TableState& t, Page* page) const;
  // Adds one item mutation (row, stream record) to `batch` / `records`, and its counter changes.
  Status AddMutation(TableState& t, const Mutation& m, rocksdb::WriteBatch* batch,
                     std::vector<PendingRecord>* records, CounterDeltas* deltas);
  // Commits `batch` with the counter merge and the stream records: locks the records' shards
  // (ascending), assigns sequence numbers, writes, and fills each record's WriteResult.
  Status Commit(TableState& t, rocksdb::WriteBatch* batch, std::vector<PendingRecord>* records,
                const CounterDeltas& deltas);
  // The same for changes to several tables in one batch (transactions): shards are locked in
  // (table id, shard) order.
  struct TableCommit {
    TableState* table;
    std::vector<PendingRecord>* records;
    const CounterDeltas* deltas;
  };
  Status CommitTables(std::span<TableCommit> tables, rocksdb::WriteBatch* batch);
  void NotifyStreamWaiters();
  // Items in [lower, upper); LastEvaluatedKey holds the attributes `key_attrs`.
  Result<Page> ScanRange(const std::string& lower, const std::string& upper, bool forward, int limit,
                         const std::vector<const KeyAttribute*>& key_attrs) const;
  Status LoadShardPositions(TableState& t);

  // Constant after Open.
  Options options_;
  const Clock* clock_;
  std::unique_ptr<rocksdb::DB> db_;
  rocksdb::ColumnFamilyHandle* meta_cf_ = nullptr;
  rocksdb::ColumnFamilyHandle* items_cf_ = nullptr;
  rocksdb::ColumnFamilyHandle* streams_cf_ = nullptr;
  uint64_t event_id_salt_ = 0;

  mutable std::shared_mutex tables_mu_;
  std::map<std::string, std::shared_ptr<TableState>, std::less<>> tables_;  // guarded by tables_mu_
  uint32_t next_table_id_ = 1;                                            // guarded by tables_mu_

  std::unique_ptr<std::mutex[]> stripes_;
  std::atomic<uint64_t> next_counter_{1};  // next sequence counter; taken under a shard lock

  std::atomic<uint64_t> stream_version_{0};
  mutable std::mutex wait_mu_;
  mutable std::condition_variable wait_cv_;
  mutable std::atomic<int> waiters_{0};

  Counter* writes_metric_ = nullptr;   // committed item writes
  Counter* records_metric_ = nullptr;  // committed stream records
};

}  // namespace tributary::table
