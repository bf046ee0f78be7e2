// UpdateExpression parsing and evaluation, independent of storage.
#include "table/update_expression.h"

#include "testing/test_util.h"

namespace tributary::table {
namespace {

using ::testing::HasSubstr;
using ::tributary::testing::IsOk;
using ::tributary::testing::StatusIs;

AttributeValue Num(std::string_view s) { return AttributeValue::N(s).value(); }
AttributeValue Str(std::string s) { return AttributeValue::S(std::move(s)); }

struct Fixture {
  ExpressionAttributeNames names;
  AttributeMap values;

  Result<UpdateExpression> Parse(std::string_view text) {
    ExpressionContext ctx(names, values);
    TRIB_RETURN_IF_ERROR(ctx.ValidateKeys());
    TRIB_ASSIGN_OR_RETURN(UpdateExpression u, ParseUpdateExpression(text, &ctx));
    TRIB_RETURN_IF_ERROR(ctx.CheckAllUsed());
    return u;
  }
  // Parses and applies to `item`.
  Status Apply(std::string_view text, Item* item) {
    TRIB_ASSIGN_OR_RETURN(UpdateExpression u, Parse(text));
    return ApplyUpdate(u, item);
  }
};

TEST(UpdateExpressionTest, SetValuesNestedPathsArithmeticAndFunctions) {
  Fixture f;
  f.values = {{":v", Str("x")},
              {":w", Num("2")},
              {":n", Num("1.5")},
              {":z", Num("0")},
              {":l", AttributeValue::L({Str("c")})}};
  Item item{{"pk", Str("k")},
            {"b", AttributeValue::M({{"old", Str("o")}})},
            {"d", Num("10")},
            {"l", AttributeValue::L({Str("a"), Str("b")})}};
  ASSERT_OK(f.Apply("SET a = :v, b.c = :w, d = d + :n, e = if_not_exists(e, :z), l = list_append(l, :l)",
                    &item));
  EXPECT_EQ(item["a"], Str("x"));
  EXPECT_EQ(item["b"], AttributeValue::M({{"old", Str("o")}, {"c", Num("2")}}));
  EXPECT_EQ(item["d"], Num("11.5"));
  EXPECT_EQ(item["e"], Num("0"));
  EXPECT_EQ(item["l"], AttributeValue::L({Str("a"), Str("b"), Str("c")}));

  // if_not_exists keeps an existing value; list_append prepends with the value first; minus.
  f.values.erase(":z");
  ASSERT_OK(f.Apply("set e = if_not_exists(e, :n), l = list_append(:l, l), d = d - :w, a = :v", &item));
  EXPECT_EQ(item["e"], Num("0"));
  EXPECT_EQ(item["l"], AttributeValue::L({Str("c"), Str("a"), Str("b"), Str("c")}));
  EXPECT_EQ(item["d"], Num("9.5"));
}

TEST(UpdateExpressionTest, OperandsSeeTheItemBeforeTheUpdate) {
  Fixture f;
  Item item{{"a", Num("1")}, {"b", Num("2")}};
  ASSERT_OK(f.Apply("SET a = b, b = a", &item));
  EXPECT_EQ(item["a"], Num("2"));
  EXPECT_EQ(item["b"], Num("1"));
}

TEST(UpdateExpressionTest, NamePlaceholdersAndListIndexes) {
  Fixture f;
  f.names = {{"#s", "status"}, {"#dot", "a.b"}};
  f.values = {{":v", Str("new")}};
  Item item{{"l", AttributeValue::L({Str("x"), Str("y"), Str("z"), Str("w")})}};
  ASSERT_OK(f.Apply("SET #s = :v, #dot = :v, l[1] = :v, l[10] = :v", &item));
  EXPECT_EQ(item["status"], Str("new"));
  EXPECT_EQ(item["a.b"], Str("new"));
  EXPECT_EQ(item["l"], AttributeValue::L({Str("x"), Str("new"), Str("z"), Str("w"), Str("new")}));
  f.names = {{"#s", "status"}};
  f.values.clear();
  ASSERT_OK(f.Apply("REMOVE l[0], l[2], #s", &item));
  EXPECT_EQ(item["l"], AttributeValue::L({Str("new"), Str("w"), Str("new")}));
  EXPECT_EQ(item.count("status"), 0u);
}

TEST(UpdateExpressionTest, Remove) {
  Fixture f;
  Item item{{"x", Num("1")},
            {"y", Num("2")},
            {"keep", Num("3")},
            {"m", AttributeValue::M({{"a", Num("1")}, {"b", Num("2")}})},
            {"l", AttributeValue::L({Str("0"), Str("1"), Str("2"), Str("3")})}};
  ASSERT_OK(f.Apply("REMOVE x, y, m.a, l[0], l[2], absent", &item));
  EXPECT_EQ(item, (Item{{"keep", Num("3")},
                        {"m", AttributeValue::M({{"b", Num("2")}})},
                        {"l", AttributeValue::L({Str("1"), Str("3")})}}));
}

TEST(UpdateExpressionTest, AddAndDelete) {
  Fixture f;
  f.values = {{":one", Num("1")}, {":ss", AttributeValue::SS({"b", "c"}).value()}};
  Item item{{"tags", AttributeValue::SS({"a"}).value()}};
  ASSERT_OK(f.Apply("ADD cnt :one, tags :ss", &item));
  EXPECT_EQ(item["cnt"], Num("1"));
  EXPECT_EQ(item["tags"], AttributeValue::SS({"a", "b", "c"}).value());
  f.values.erase(":ss");
  f.values[":del"] = AttributeValue::SS({"a", "b"}).value();
  ASSERT_OK(f.Apply("ADD cnt :one DELETE tags :del", &item));
  EXPECT_EQ(item["cnt"], Num("2"));
  EXPECT_EQ(item["tags"], AttributeValue::SS({"c"}).value());
  f.values[":del"] = AttributeValue::SS({"c"}).value();
  ASSERT_OK(f.Apply("DELETE tags :del, gone :del ADD cnt :one", &item));
  EXPECT_EQ(item.count("tags"), 0u);
}

void ExpectError(Fixture& f, std::string_view expr, std::string_view message) {
  auto r = f.Parse(expr);
  ASSERT_THAT(r, StatusIs(StatusCode::kInvalidArgument)) << expr;
  EXPECT_EQ(r.status().message(), message) << expr;
}

TEST(UpdateExpressionTest, ParseErrors) {
  Fixture f;
  f.values = {{":v", Str("x")}, {":n", Num("1")}, {":l", AttributeValue::L({})}};
  f.names = {{"#n", "name"}};
  ExpectError(f, "SET a = :x, b = :v, c = :n, d = :l, #n = :v",
              "Invalid UpdateExpression: An expression attribute value used in expression is not defined; "
              "attribute value: :x");
  ExpectError(f, "SET #m = :v, b = :n, d = :l, #n = :v",
              "Invalid UpdateExpression: An expression attribute name used in the document path is not "
              "defined; attribute name: #m");
  ExpectError(f, "SET status = :v",
              "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: status");
  ExpectError(f, "  ", "Invalid UpdateExpression: The expression can not be empty;");
  ExpectError(f, "SET a = :v SET b = :n",
              "Invalid UpdateExpression: The \"SET\" section can only be used once in an update expression;");
  ExpectError(f, "SET a = :v, a.b = :n",
              "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite "
              "one of these paths; path one: [a], path two: [a, b]");
  ExpectError(f, "SET a.b = :v REMOVE a[0]",
              "Invalid UpdateExpression: Two document paths conflict with each other; must remove or rewrite "
              "one of these paths; path one: [a, b], path two: [a, [0]]");
  ExpectError(f, "SET a = foo(b, :v)", "Invalid UpdateExpression: Invalid function name; function: foo");
  ExpectError(f, "SET a = size(b)",
              "Invalid UpdateExpression: The function is not allowed in an update expression; function: size");
  ExpectError(f, "SET a = list_append(:l)",
              "Invalid UpdateExpression: Incorrect number of operands for operator or function; operator or "
              "function: list_append, number of operands: 1");
  ExpectError(f, "SET a = if_not_exists(:v, :v)",
              "Invalid UpdateExpression: Operator or function requires a document path; operator or "
              "function: if_not_exists");
  ExpectError(f, "SET a = b + :v",
              "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or "
              "function: +, operand type: S");
  ExpectError(f, "SET a = list_append(b, :n)",
              "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or "
              "function: list_append, operand type: N");
  ExpectError(f, "ADD a :v",
              "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or "
              "function: ADD, operand type: S");
  ExpectError(f, "DELETE a :n",
              "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or "
              "function: DELETE, operand type: N");
  ExpectError(f, "SET a = :v,", "Invalid UpdateExpression: Syntax error; token: \"<EOF>\", near: \",\"");
  ExpectError(f, "SET a :v", "Invalid UpdateExpression: Syntax error; token: \":v\", near: \"a :v\"");
  ExpectError(f, "UPSERT a = :v", "Invalid UpdateExpression: Syntax error; token: \"UPSERT\", near: \"UPSERT\"");
  ExpectError(f, "SET a = $v", "Invalid UpdateExpression: Syntax error; token: \"$\", near: \"$v\"");
  ExpectError(f, "SET a = :v", "Value provided in ExpressionAttributeNames unused in expressions: keys: {#n}");
  f.names.clear();
  ExpectError(f, "SET a = :v", "Value provided in ExpressionAttributeValues unused in expressions: keys: {:l, :n}");
  f.values = {{"v", Str("x")}};
  ExpectError(f, "SET a = :v", "ExpressionAttributeValues contains invalid key: Syntax error; key: \"v\"");
}

TEST(UpdateExpressionTest, EvaluationErrors) {
  Fixture f;
  f.values = {{":n", Num("1")}, {":l", AttributeValue::L({})}, {":ns", AttributeValue::NS({"1"}).value()}};
  Item item{{"s", Str("text")}, {"n", Num("5")}};
  auto apply = [&](std::string_view expr) {
    Item copy = item;
    auto u = f.Parse(expr);
    if (!u.ok()) return u.status();
    return ApplyUpdate(*u, &copy);
  };
  f.values.erase(":l");
  f.values.erase(":ns");
  EXPECT_EQ(apply("SET a = absent + :n").message(),
            "The provided expression refers to an attribute that does not exist in the item");
  EXPECT_EQ(apply("SET a = s + :n").message(), "An operand in the update expression has an incorrect data type");
  EXPECT_EQ(apply("SET a.b.c = :n").message(),
            "The document path provided in the update expression is invalid for update");
  EXPECT_EQ(apply("SET s.x = :n").message(),
            "The document path provided in the update expression is invalid for update");
  EXPECT_EQ(apply("ADD s :n").message(), "An operand in the update expression has an incorrect data type");
  f.values.erase(":n");
  f.values[":l"] = AttributeValue::L({});
  EXPECT_EQ(apply("SET a = list_append(n, :l)").message(),
            "An operand in the update expression has an incorrect data type");
  f.values.erase(":l");
  f.values[":ns"] = AttributeValue::NS({"1"}).value();
  EXPECT_EQ(apply("DELETE n :ns").message(), "An operand in the update expression has an incorrect data type");
}

TEST(UpdateExpressionTest, UpdatedPathsProjectReturnValues) {
  Fixture f;
  f.values = {{":v", Num("9")}};
  Item item{{"a", Num("1")},
            {"keep", Num("2")},
            {"m", AttributeValue::M({{"x", Num("1")}, {"y", Num("2")}})},
            {"l", AttributeValue::L({Str("l0"), Str("l1"), Str("l2")})}};
  auto u = f.Parse("SET a = :v, m.x = :v, l[2] = :v, l[0] = :v REMOVE gone");
  ASSERT_OK(u);
  Item old_part = ProjectPaths(item, u->UpdatedPaths());
  EXPECT_EQ(old_part, (Item{{"a", Num("1")},
                            {"m", AttributeValue::M({{"x", Num("1")}})},
                            {"l", AttributeValue::L({Str("l0"), Str("l2")})}}));
  ASSERT_OK(ApplyUpdate(*u, &item));
  Item new_part = ProjectPaths(item, u->UpdatedPaths());
  EXPECT_EQ(new_part, (Item{{"a", Num("9")},
                            {"m", AttributeValue::M({{"x", Num("9")}})},
                            {"l", AttributeValue::L({Num("9"), Num("9")})}}));
}

}  // namespace
}  // namespace tributary::table
