// Condition, key-condition and projection expressions: parsing (DynamoDB's messages) and evaluation.
#include "table/condition_expression.h"

#include "table/key_condition.h"
#include "table/projection_expression.h"
#include "testing/test_util.h"

namespace tributary::table {
namespace {

AttributeValue Num(std::string_view s) { return AttributeValue::N(s).value(); }
AttributeValue Str(std::string s) { return AttributeValue::S(std::move(s)); }

struct Fixture {
  ExpressionAttributeNames names;
  AttributeMap values;

  Result<Condition> Parse(std::string_view text, bool check_unused = true) {
    ExpressionContext ctx(names, values);
    TRIB_RETURN_IF_ERROR(ctx.ValidateKeys());
    TRIB_ASSIGN_OR_RETURN(Condition c, ParseConditionExpression(text, "ConditionExpression", &ctx));
    if (check_unused) TRIB_RETURN_IF_ERROR(ctx.CheckAllUsed());
    return c;
  }
  // Parses `text` and evaluates it against `item`; a parse error fails the test.
  bool Eval(std::string_view text, const Item* item) {
    auto c = Parse(text, /*check_unused=*/false);
    EXPECT_TRUE(c.ok()) << text << ": " << c.status().ToString();
    return c.ok() && EvaluateCondition(*c, item);
  }
  std::string Error(std::string_view text) {
    auto c = Parse(text);
    return c.ok() ? "ok" : c.status().message();
  }
};

Item SampleItem() {
  return Item{{"pk", Str("user#1")},
              {"n", Num("10")},
              {"s", Str("hello")},
              {"b", AttributeValue::B("\x01\x02")},
              {"flag", AttributeValue::Bool(true)},
              {"tags", AttributeValue::SS({"a", "b"}).value()},
              {"nums", AttributeValue::NS({"1", "2.5"}).value()},
              {"lst", AttributeValue::L({Str("x"), Num("3")})},
              {"m", AttributeValue::M({{"kid", AttributeValue::M({{"deep", Num("7")}})}})}};
}

TEST(ConditionExpressionTest, ComparisonsAndLogic) {
  Fixture f;
  f.values = {{":ten", Num("10")}, {":nine", Num("9.0")}, {":s", Str("hello")}, {":z", Str("zzz")}};
  Item item = SampleItem();
  EXPECT_TRUE(f.Eval("n = :ten", &item));
  EXPECT_TRUE(f.Eval("n > :nine AND s = :s", &item));
  EXPECT_TRUE(f.Eval("n < :nine OR s < :z", &item));
  EXPECT_FALSE(f.Eval("NOT (n >= :ten)", &item));
  EXPECT_TRUE(f.Eval("n <> :nine", &item));
  EXPECT_TRUE(f.Eval("absent <> :nine", &item));   // <> is true for a absent attribute
  EXPECT_FALSE(f.Eval("absent = :nine", &item));
  EXPECT_FALSE(f.Eval("absent < :nine", &item));
  EXPECT_FALSE(f.Eval("s < :ten", &item));           // different types never order
  EXPECT_TRUE(f.Eval("n BETWEEN :nine AND :ten", &item));
  EXPECT_TRUE(f.Eval("n IN (:nine, :ten)", &item));
  EXPECT_FALSE(f.Eval("s IN (:z)", &item));
  // AND binds tighter than OR; NOT tighter than AND.
  EXPECT_TRUE(f.Eval("s = :z AND n = :nine OR n = :ten", &item));
  EXPECT_FALSE(f.Eval("s = :z AND (n = :nine OR n = :ten)", &item));
  EXPECT_TRUE(f.Eval("NOT s = :z AND n = :ten", &item));
  EXPECT_TRUE(f.Eval("m.kid.deep < :nine", &item));
  EXPECT_FALSE(f.Eval("n = :ten", nullptr));
  EXPECT_TRUE(f.Eval("n <> :ten", nullptr));
}

TEST(ConditionExpressionTest, Functions) {
  Fixture f;
  f.values = {{":pre", Str("user#")},   {":a", Str("a")},      {":x", Str("x")},  {":three", Num("3")},
              {":t", Str("SS")},        {":two", Num("2")},    {":ell", Str("ell")}, {":bin", AttributeValue::B("\x01")},
              {":n25", Num("2.50")},    {":five", Num("5")}};
  Item item = SampleItem();
  EXPECT_TRUE(f.Eval("attribute_exists(m.kid.deep) AND attribute_not_exists(m.nope)", &item));
  EXPECT_TRUE(f.Eval("attribute_not_exists(pk)", nullptr));
  EXPECT_FALSE(f.Eval("attribute_exists(lst[2])", &item));
  EXPECT_TRUE(f.Eval("attribute_exists(lst[1])", &item));
  EXPECT_TRUE(f.Eval("begins_with(pk, :pre)", &item));
  EXPECT_TRUE(f.Eval("begins_with(b, :bin)", &item));
  EXPECT_FALSE(f.Eval("begins_with(n, :pre)", &item));
  EXPECT_TRUE(f.Eval("contains(s, :ell) AND contains(tags, :a) AND contains(lst, :x) AND contains(lst, :three)", &item));
  EXPECT_TRUE(f.Eval("contains(nums, :n25)", &item));
  EXPECT_FALSE(f.Eval("contains(tags, :x)", &item));
  EXPECT_TRUE(f.Eval("attribute_type(tags, :t)", &item));
  EXPECT_TRUE(f.Eval("size(tags) = :two AND size(s) = :five AND size(lst) < :three AND size(b) = :two", &item));
  EXPECT_FALSE(f.Eval("size(n) = :two", &item));  // numbers have no size
}

TEST(ConditionExpressionTest, ErrorsUseDynamoDbMessages) {
  Fixture f;
  f.values = {{":v", Num("1")}, {":hi", Num("5")}, {":s", Str("x")}, {":bad", Str("XX")}};
  EXPECT_EQ(f.Error(""), "Invalid ConditionExpression: The expression can not be empty;");
  EXPECT_EQ(f.Error("a = :nope"),
            "Invalid ConditionExpression: An expression attribute value used in expression is not defined; attribute "
            "value: :nope");
  EXPECT_EQ(f.Error("#a = :v"),
            "Invalid ConditionExpression: An expression attribute name used in the document path is not defined; "
            "attribute name: #a");
  EXPECT_EQ(f.Error("a = :v"), "Value provided in ExpressionAttributeValues unused in expressions: keys: {:bad, :hi, :s}");
  EXPECT_EQ(f.Error("a = :v AND"), "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"AND\"");
  EXPECT_EQ(f.Error("a == :v"), "Invalid ConditionExpression: Syntax error; token: \"=\", near: \"==\"");
  EXPECT_EQ(f.Error("foo(a)"), "Invalid ConditionExpression: Invalid function name; function: foo");
  EXPECT_EQ(f.Error("begins_with(a)"),
            "Invalid ConditionExpression: Incorrect number of operands for operator or function; operator or function: "
            "begins_with, number of operands: 1");
  EXPECT_EQ(f.Error("begins_with(a, :v)"),
            "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: "
            "begins_with, operand type: N");
  EXPECT_EQ(f.Error("attribute_exists(:v)"),
            "Invalid ConditionExpression: Operator or function requires a document path; operator or function: "
            "attribute_exists");
  EXPECT_EQ(f.Error("size(a)"),
            "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: size");
  EXPECT_EQ(f.Error("attribute_exists(a) = :v"),
            "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: "
            "attribute_exists");
  EXPECT_EQ(f.Error("a BETWEEN :hi AND :v"),
            "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower "
            "bound; lower bound operand: AttributeValue: {N:5}, upper bound operand: AttributeValue: {N:1}");
  EXPECT_EQ(f.Error("attribute_type(a, :bad)"),
            "Invalid ConditionExpression: Invalid attribute type name found; type: XX, valid types: { "
            "B,NULL,SS,BOOL,L,BS,N,NS,S,M }");
  EXPECT_EQ(f.Error("a = a"),
            "Invalid ConditionExpression: The first operand must be distinct from the remaining operands for this "
            "operator or function; operator: =, first operand: [a]");
  EXPECT_EQ(f.Error("status = :v"),
            "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: status");
  EXPECT_EQ(f.Error("a = :v $"), "Invalid ConditionExpression: Syntax error; token: \"$\", near: \"$\"");
  std::string long_path(4093, 'a');
  EXPECT_EQ(f.Error(long_path + "=:v"),  // 4096 bytes: allowed
            "Value provided in ExpressionAttributeValues unused in expressions: keys: {:bad, :hi, :s}");
  EXPECT_EQ(f.Error(long_path + "= :v"),
            "Invalid ConditionExpression: Expression size has exceeded the maximum allowed size; expression size: 4097");
  EXPECT_EQ(f.Error("((a = :v))"), "Invalid ConditionExpression: The expression has redundant parentheses;");
  EXPECT_EQ(f.Error("(((a = :v)) AND b = :v)"), "Invalid ConditionExpression: The expression has redundant parentheses;");
  EXPECT_EQ(f.Error("((a = :v) AND (b = :v))"), "Value provided in ExpressionAttributeValues unused in expressions: keys: {:bad, :hi, :s}");
  EXPECT_EQ(f.Error("((a = :v) AND b = :v)"), "Value provided in ExpressionAttributeValues unused in expressions: keys: {:bad, :hi, :s}");
  EXPECT_EQ(f.Error("if_not_exists(a, :v) = :v"),
            "Invalid ConditionExpression: The function is not allowed in a condition expression; function: if_not_exists");
}

TEST(KeyConditionTest, ParsesHashAndRange) {
  ExpressionAttributeNames names{{"#s", "sk"}};
  AttributeMap values{{":p", Str("a")}, {":lo", Num("1")}, {":hi", Num("3")}, {":pre", Str("x")}};
  KeyAttribute hash{"pk", AttributeType::kS};
  std::optional<KeyAttribute> range = KeyAttribute{"sk", AttributeType::kN};
  auto parse = [&](std::string_view text) {
    ExpressionContext ctx(names, values);
    return ParseKeyConditionExpression(text, &ctx, hash, range);
  };
  auto k = parse("#s BETWEEN :lo AND :hi AND pk = :p");
  ASSERT_OK(k);
  EXPECT_EQ(k->hash_value, Str("a"));
  ASSERT_TRUE(k->range.has_value());
  EXPECT_EQ(k->range->op, RangeOp::kBetween);
  EXPECT_EQ(k->range->value2, Num("3"));
  k = parse(":lo < #s AND pk = :p");  // value first: the operator flips
  ASSERT_OK(k);
  EXPECT_EQ(k->range->op, RangeOp::kGt);
  k = parse("pk = :p AND begins_with(#s, :pre)");
  ASSERT_OK(k);
  EXPECT_EQ(k->range->op, RangeOp::kBeginsWith);
  EXPECT_EQ(parse("#s = :lo").status().message(), "Query condition missed key schema element: pk");
  EXPECT_EQ(parse("pk > :p").status().message(), "Query key condition not supported");
  EXPECT_EQ(parse("pk = :p AND extra = :lo").status().message(), "Query condition missed key schema element: sk");
  EXPECT_EQ(parse("pk = :p OR #s = :lo").status().message(), "Invalid operator used in KeyConditionExpression: OR");
  EXPECT_EQ(parse("pk = :p AND #s <> :lo").status().message(), "Invalid operator used in KeyConditionExpression: <>");
  EXPECT_EQ(parse("pk = :p AND #s IN (:lo)").status().message(), "Invalid operator used in KeyConditionExpression: IN");
  EXPECT_EQ(parse("pk = :p AND pk = :p").status().message(),
            "KeyConditionExpressions must only contain one condition per key");
  EXPECT_EQ(parse("pk = :p AND").status().message(),
            "Invalid KeyConditionExpression: Syntax error; token: \"<EOF>\", near: \"AND\"");
}

TEST(ProjectionExpressionTest, PathsAndOverlaps) {
  ExpressionAttributeNames names{{"#n", "name"}};
  AttributeMap values;
  ExpressionContext ctx(names, values);
  auto paths = ParseProjectionExpression("a.b[2], #n, c", &ctx);
  ASSERT_OK(paths);
  ASSERT_EQ(paths->size(), 3u);
  EXPECT_EQ(PathToString((*paths)[0]), "a.b[2]");
  EXPECT_EQ((*paths)[1][0].name, "name");
  ASSERT_OK(ctx.CheckAllUsed());
  ExpressionContext ctx2(names, values);
  EXPECT_EQ(ParseProjectionExpression("a, a.b", &ctx2).status().message(),
            "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of "
            "these paths; path one: [a], path two: [a, b]");
  EXPECT_EQ(ParseProjectionExpression("a[1], a.b", &ctx2).status().message(),
            "Invalid ProjectionExpression: Two document paths conflict with each other; must remove or rewrite one of "
            "these paths; path one: [a, [1]], path two: [a, b]");
  EXPECT_EQ(ParseProjectionExpression("a,", &ctx2).status().message(),
            "Invalid ProjectionExpression: Syntax error; token: \"<EOF>\", near: \",\"");
  EXPECT_EQ(ParseProjectionExpression("name", &ctx2).status().message(),
            "Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: name");
}

}  // namespace
}  // namespace tributary::table

namespace tributary::table {
namespace {

TEST(ConditionExpressionDepthTest, DeepNestingIsAValidationErrorNotACrash) {
  ExpressionAttributeNames names;
  AttributeMap values{{":v", AttributeValue::N(1)}};
  for (const std::string& expr :
       {std::string(1000, '(') + "a = :v" + std::string(1000, ')'),
        [] { std::string e; for (int i = 0; i < 900; ++i) e += "NOT "; return e + "a = :v"; }(),
        [] { std::string e; for (int i = 0; i < 500; ++i) e += "size("; e += "a"; for (int i = 0; i < 500; ++i) e += ")"; return e + " = :v"; }()}) {
    ExpressionContext ctx(names, values);
    auto r = ParseConditionExpression(expr, "ConditionExpression", &ctx);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().ToString();
    EXPECT_NE(r.status().message().find("nested too deeply"), std::string::npos) << r.status().ToString();
  }
  // A non-ASCII character is echoed whole, so the error message stays valid UTF-8.
  {
    ExpressionContext ctx(names, values);
    auto r = ParseConditionExpression("\xce\xb7 = :v", "ConditionExpression", &ctx);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("token: \"\xce\xb7\""), std::string::npos) << r.status().message();
  }
  // Moderate nesting still parses.
  ExpressionContext ctx(names, values);
  EXPECT_TRUE(ParseConditionExpression("(a = :v) AND (NOT (a = :v))", "ConditionExpression", &ctx).ok());
}

}  // namespace
}  // namespace tributary::table
