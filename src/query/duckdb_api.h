// The subset of DuckDB's C API (duckdb.h, libduckdb 1.5.x) that Tributary calls.
//
// No duckdb.h ships with the library we use (the shared object from the npm package
// @duckdb/node-bindings-linux-x64), so the declarations we need live here. Only functions and
// types listed below may be used; add a declaration when you need a new function, checking it
// against the C API reference for the pinned version (`nm -D libduckdb.so` lists the symbols).
//
// ABI notes: the enum values are fixed by DuckDB ("always add enums at the END"); duckdb_result
// is the one struct we allocate ourselves, and its layout (five deprecated fields followed by
// internal_data, 48 bytes on LP64) has been stable since 0.3.2. Everything else is an opaque
// handle. Only src/query/ includes this header.
#pragma once

#include <cstddef>
#include <cstdint>

extern "C" {

typedef uint64_t idx_t;

typedef enum DUCKDB_TYPE {
  DUCKDB_TYPE_INVALID = 0,
  DUCKDB_TYPE_BOOLEAN = 1,
  DUCKDB_TYPE_TINYINT = 2,
  DUCKDB_TYPE_SMALLINT = 3,
  DUCKDB_TYPE_INTEGER = 4,
  DUCKDB_TYPE_BIGINT = 5,
  DUCKDB_TYPE_UTINYINT = 6,
  DUCKDB_TYPE_USMALLINT = 7,
  DUCKDB_TYPE_UINTEGER = 8,
  DUCKDB_TYPE_UBIGINT = 9,
  DUCKDB_TYPE_FLOAT = 10,
  DUCKDB_TYPE_DOUBLE = 11,
  DUCKDB_TYPE_TIMESTAMP = 12,
  DUCKDB_TYPE_DATE = 13,
  DUCKDB_TYPE_TIME = 14,
  DUCKDB_TYPE_INTERVAL = 15,
  DUCKDB_TYPE_HUGEINT = 16,
  DUCKDB_TYPE_VARCHAR = 17,
  DUCKDB_TYPE_BLOB = 18,
  DUCKDB_TYPE_DECIMAL = 19,
  DUCKDB_TYPE_TIMESTAMP_S = 20,
  DUCKDB_TYPE_TIMESTAMP_MS = 21,
  DUCKDB_TYPE_TIMESTAMP_NS = 22,
  DUCKDB_TYPE_ENUM = 23,
  DUCKDB_TYPE_LIST = 24,
  DUCKDB_TYPE_STRUCT = 25,
  DUCKDB_TYPE_MAP = 26,
  DUCKDB_TYPE_UUID = 27,
  DUCKDB_TYPE_UNION = 28,
  DUCKDB_TYPE_BIT = 29,
  DUCKDB_TYPE_TIME_TZ = 30,
  DUCKDB_TYPE_TIMESTAMP_TZ = 31,
  DUCKDB_TYPE_UHUGEINT = 32,
  DUCKDB_TYPE_ARRAY = 33,
  DUCKDB_TYPE_ANY = 34,
  DUCKDB_TYPE_BIGNUM = 35,
  DUCKDB_TYPE_SQLNULL = 36,
} duckdb_type;

typedef enum duckdb_state { DuckDBSuccess = 0, DuckDBError = 1 } duckdb_state;

typedef enum duckdb_statement_type {
  DUCKDB_STATEMENT_TYPE_INVALID = 0,
  DUCKDB_STATEMENT_TYPE_SELECT = 1,
  DUCKDB_STATEMENT_TYPE_INSERT = 2,
  DUCKDB_STATEMENT_TYPE_UPDATE = 3,
  DUCKDB_STATEMENT_TYPE_EXPLAIN = 4,
  DUCKDB_STATEMENT_TYPE_DELETE = 5,
  DUCKDB_STATEMENT_TYPE_PREPARE = 6,
  DUCKDB_STATEMENT_TYPE_CREATE = 7,
  DUCKDB_STATEMENT_TYPE_EXECUTE = 8,
  DUCKDB_STATEMENT_TYPE_ALTER = 9,
  DUCKDB_STATEMENT_TYPE_TRANSACTION = 10,
  DUCKDB_STATEMENT_TYPE_COPY = 11,
  DUCKDB_STATEMENT_TYPE_ANALYZE = 12,
  DUCKDB_STATEMENT_TYPE_VARIABLE_SET = 13,
  DUCKDB_STATEMENT_TYPE_CREATE_FUNC = 14,
  DUCKDB_STATEMENT_TYPE_DROP = 15,
  DUCKDB_STATEMENT_TYPE_EXPORT = 16,
  DUCKDB_STATEMENT_TYPE_PRAGMA = 17,
  DUCKDB_STATEMENT_TYPE_VACUUM = 18,
  DUCKDB_STATEMENT_TYPE_CALL = 19,
  DUCKDB_STATEMENT_TYPE_SET = 20,
  DUCKDB_STATEMENT_TYPE_LOAD = 21,
  DUCKDB_STATEMENT_TYPE_RELATION = 22,
  DUCKDB_STATEMENT_TYPE_EXTENSION = 23,
  DUCKDB_STATEMENT_TYPE_LOGICAL_PLAN = 24,
  DUCKDB_STATEMENT_TYPE_ATTACH = 25,
  DUCKDB_STATEMENT_TYPE_DETACH = 26,
  DUCKDB_STATEMENT_TYPE_MULTI = 27,
} duckdb_statement_type;

// Deprecated per-column view of a materialized result; only its size matters to us (it is
// reached through duckdb_result, never touched directly).
typedef struct {
  void* deprecated_data;
  bool* deprecated_nullmask;
  duckdb_type deprecated_type;
  char* deprecated_name;
  void* internal_data;
} duckdb_column;

// A materialized query result. Allocated by the caller, filled by duckdb_query /
// duckdb_execute_prepared, released with duckdb_destroy_result (also after an error). Read it only
// through the accessor functions below.
typedef struct {
  idx_t deprecated_column_count;
  idx_t deprecated_row_count;
  idx_t deprecated_rows_changed;
  duckdb_column* deprecated_columns;
  char* deprecated_error_message;
  void* internal_data;
} duckdb_result;

typedef struct _duckdb_database {
  void* internal_ptr;
} * duckdb_database;
typedef struct _duckdb_connection {
  void* internal_ptr;
} * duckdb_connection;
typedef struct _duckdb_prepared_statement {
  void* internal_ptr;
} * duckdb_prepared_statement;
typedef struct _duckdb_extracted_statements {
  void* internal_ptr;
} * duckdb_extracted_statements;
typedef struct _duckdb_config {
  void* internal_ptr;
} * duckdb_config;
typedef struct _duckdb_logical_type {
  void* internal_ptr;
} * duckdb_logical_type;

// --- Open / connect ---------------------------------------------------------------------------
// path nullptr or ":memory:" = in-memory database. *out_error (if set on failure) must be freed
// with duckdb_free.
duckdb_state duckdb_open_ext(const char* path, duckdb_database* out_database, duckdb_config config,
                             char** out_error);
void duckdb_close(duckdb_database* database);
duckdb_state duckdb_connect(duckdb_database database, duckdb_connection* out_connection);
void duckdb_disconnect(duckdb_connection* connection);
void duckdb_interrupt(duckdb_connection connection);
const char* duckdb_library_version();

// --- Start-up configuration --------------------------------------------------------------------
duckdb_state duckdb_create_config(duckdb_config* out_config);
duckdb_state duckdb_set_config(duckdb_config config, const char* name, const char* option);
void duckdb_destroy_config(duckdb_config* config);

// --- Queries ----------------------------------------------------------------------------------
duckdb_state duckdb_query(duckdb_connection connection, const char* query,
                          duckdb_result* out_result);
void duckdb_destroy_result(duckdb_result* result);
const char* duckdb_result_error(duckdb_result* result);  // owned by the result
idx_t duckdb_column_count(duckdb_result* result);
idx_t duckdb_row_count(duckdb_result* result);
const char* duckdb_column_name(duckdb_result* result, idx_t col);  // owned by the result
duckdb_type duckdb_column_type(duckdb_result* result, idx_t col);
duckdb_logical_type duckdb_column_logical_type(duckdb_result* result, idx_t col);
bool duckdb_value_is_null(duckdb_result* result, idx_t col, idx_t row);
// The value cast to text, or nullptr when NULL or not convertible (nested types). Free with
// duckdb_free.
char* duckdb_value_varchar(duckdb_result* result, idx_t col, idx_t row);

// --- Parsing only ------------------------------------------------------------------------------
// Splits `query` into statements without binding or running them. Returns the number of
// statements, 0 on a parse error (then duckdb_extract_statements_error gives the reason, owned by
// the handle). The handle must be destroyed either way.
idx_t duckdb_extract_statements(duckdb_connection connection, const char* query,
                                duckdb_extracted_statements* out_extracted_statements);
const char* duckdb_extract_statements_error(duckdb_extracted_statements extracted_statements);
void duckdb_destroy_extracted(duckdb_extracted_statements* extracted_statements);

// --- Prepared statements ----------------------------------------------------------------------
// Preparing parses and binds one statement without running it. On failure the statement still
// has to be destroyed; duckdb_prepare_error gives the reason (owned by the statement).
duckdb_state duckdb_prepare(duckdb_connection connection, const char* query,
                            duckdb_prepared_statement* out_prepared_statement);
void duckdb_destroy_prepare(duckdb_prepared_statement* prepared_statement);
const char* duckdb_prepare_error(duckdb_prepared_statement prepared_statement);
duckdb_statement_type duckdb_prepared_statement_type(duckdb_prepared_statement statement);
idx_t duckdb_prepared_statement_column_count(duckdb_prepared_statement prepared_statement);
// A copy of the result column's name; free with duckdb_free.
const char* duckdb_prepared_statement_column_name(duckdb_prepared_statement prepared_statement,
                                                  idx_t col_idx);
duckdb_logical_type duckdb_prepared_statement_column_logical_type(
    duckdb_prepared_statement prepared_statement, idx_t col_idx);
duckdb_state duckdb_execute_prepared(duckdb_prepared_statement prepared_statement,
                                     duckdb_result* out_result);

// --- Logical types ----------------------------------------------------------------------------
duckdb_type duckdb_get_type_id(duckdb_logical_type type);
char* duckdb_logical_type_get_alias(duckdb_logical_type type);  // nullptr or duckdb_free
uint8_t duckdb_decimal_width(duckdb_logical_type type);
uint8_t duckdb_decimal_scale(duckdb_logical_type type);
duckdb_logical_type duckdb_list_type_child_type(duckdb_logical_type type);
duckdb_logical_type duckdb_array_type_child_type(duckdb_logical_type type);
idx_t duckdb_array_type_array_size(duckdb_logical_type type);
duckdb_logical_type duckdb_map_type_key_type(duckdb_logical_type type);
duckdb_logical_type duckdb_map_type_value_type(duckdb_logical_type type);
idx_t duckdb_struct_type_child_count(duckdb_logical_type type);
char* duckdb_struct_type_child_name(duckdb_logical_type type, idx_t index);  // duckdb_free
duckdb_logical_type duckdb_struct_type_child_type(duckdb_logical_type type, idx_t index);
void duckdb_destroy_logical_type(duckdb_logical_type* type);

// --- Memory -----------------------------------------------------------------------------------
void duckdb_free(void* ptr);

}  // extern "C"

static_assert(sizeof(duckdb_result) == 48, "duckdb_result layout must match libduckdb (LP64)");
