"""boto3 against `tributary up`: the DynamoDB data plane (items, conditions, query/scan paging,
batches, legacy parameters) with errors checked as botocore ClientError codes and messages."""

import harness
from boto3.dynamodb.conditions import Attr, Key


class DataPlaneTest(harness.TributaryTestCase):
    SHARED_SERVER = True

    def setUp(self):
        super().setUp()
        self.require_operations("CreateTable", "PutItem", "GetItem", "UpdateItem", "DeleteItem", "Query",
                                "Scan", "BatchWriteItem", "BatchGetItem")

    def _table(self, name, range_key=None):
        self.create_table(name, range_key=range_key)
        return harness.boto3.session.Session().resource(
            "dynamodb", endpoint_url=self.endpoint, region_name=harness.REGION,
            aws_access_key_id=harness.DUMMY_CREDENTIALS[0],
            aws_secret_access_key=harness.DUMMY_CREDENTIALS[1]).Table(name)

    def assertMessage(self, err, message):
        self.assertEqual(err.response["Error"]["Message"], message)

    def test_put_get_update_delete(self):
        t = self._table("dp_items")
        t.put_item(Item={"pk": "a", "n": 7, "tags": {"x", "y"}, "m": {"l": [1, "two"]}})
        item = t.get_item(Key={"pk": "a"}, ConsistentRead=True)["Item"]
        self.assertEqual(item, {"pk": "a", "n": 7, "tags": {"x", "y"}, "m": {"l": [1, "two"]}})
        self.assertNotIn("Item", t.get_item(Key={"pk": "missing"}))
        got = t.get_item(Key={"pk": "a"}, ProjectionExpression="m.l[1], #n", ExpressionAttributeNames={"#n": "n"})
        self.assertEqual(got["Item"], {"m": {"l": ["two"]}, "n": 7})
        r = t.update_item(Key={"pk": "a"}, UpdateExpression="SET n = n + :one, s = :s REMOVE tags",
                          ExpressionAttributeValues={":one": 1, ":s": "new"}, ReturnValues="UPDATED_NEW")
        self.assertEqual(r["Attributes"], {"n": 8, "s": "new"})
        r = t.update_item(Key={"pk": "a"}, UpdateExpression="ADD n :one", ExpressionAttributeValues={":one": 2},
                          ReturnValues="ALL_OLD")
        self.assertEqual(r["Attributes"]["n"], 8)
        r = t.delete_item(Key={"pk": "a"}, ReturnValues="ALL_OLD")
        self.assertEqual(r["Attributes"]["n"], 10)
        self.assertNotIn("Attributes", t.delete_item(Key={"pk": "a"}, ReturnValues="ALL_OLD"))

    def test_conditions(self):
        t = self._table("dp_conditions")
        t.put_item(Item={"pk": "a", "v": 1}, ConditionExpression=Attr("pk").not_exists())
        err = self.assertClientError("ConditionalCheckFailedException", t.put_item, Item={"pk": "a"},
                                     ConditionExpression=Attr("pk").not_exists())
        self.assertMessage(err, "The conditional request failed")
        err = self.assertClientError("ConditionalCheckFailedException", t.update_item, Key={"pk": "a"},
                                     UpdateExpression="SET v = :two", ConditionExpression="v > :two",
                                     ExpressionAttributeValues={":two": 2},
                                     ReturnValuesOnConditionCheckFailure="ALL_OLD")
        self.assertEqual(err.response["Item"], {"pk": {"S": "a"}, "v": {"N": "1"}})
        t.update_item(Key={"pk": "a"}, UpdateExpression="SET v = :two",
                      ConditionExpression=Attr("v").between(0, 1) & Attr("pk").begins_with("a"),
                      ExpressionAttributeValues={":two": 2})
        t.delete_item(Key={"pk": "a"}, ConditionExpression=Attr("v").is_in([2, 3]) & Attr("v").attribute_type("N"))
        # Legacy Expected.
        self.dynamodb.put_item(TableName="dp_conditions", Item={"pk": {"S": "b"}},
                               Expected={"pk": {"Exists": False}})
        self.assertClientError("ConditionalCheckFailedException", self.dynamodb.put_item,
                               TableName="dp_conditions", Item={"pk": {"S": "b"}}, Expected={"pk": {"Exists": False}})

    def test_query_paging_and_filters(self):
        t = self._table("dp_query", range_key=("sk", "N"))
        with t.batch_writer() as batch:
            for i in range(30):
                batch.put_item(Item={"pk": "p", "sk": i, "odd": i % 2 == 1})
        r = t.query(KeyConditionExpression=Key("pk").eq("p") & Key("sk").between(5, 9))
        self.assertEqual([i["sk"] for i in r["Items"]], [5, 6, 7, 8, 9])
        self.assertEqual((r["Count"], r["ScannedCount"]), (5, 5))
        # Limit counts before the filter; pages resume from LastEvaluatedKey.
        seen, pages, kwargs = [], 0, {}
        while True:
            r = t.query(KeyConditionExpression=Key("pk").eq("p"), FilterExpression=Attr("odd").eq(True), Limit=7,
                        ScanIndexForward=False, **kwargs)
            pages += 1
            self.assertLessEqual(r["ScannedCount"], 7)
            seen += [i["sk"] for i in r["Items"]]
            if "LastEvaluatedKey" not in r:
                break
            kwargs = {"ExclusiveStartKey": r["LastEvaluatedKey"]}
        self.assertEqual(seen, list(range(29, 0, -2)))
        self.assertGreaterEqual(pages, 5)
        r = t.query(KeyConditionExpression=Key("pk").eq("p"), Select="COUNT")
        self.assertEqual(r["Count"], 30)
        self.assertNotIn("Items", r)
        err = self.assertClientError("ValidationException", t.query, KeyConditionExpression=Key("sk").eq(1))
        self.assertMessage(err, "Query condition missed key schema element: pk")
        err = self.assertClientError("ValidationException", t.query, IndexName="nope",
                                     KeyConditionExpression=Key("pk").eq("p"))
        self.assertMessage(err, "The table does not have the specified index: nope")

    def test_query_global_secondary_index(self):
        self.create_table(
            "dp_gsi", AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                            {"AttributeName": "tag", "AttributeType": "S"},
                                            {"AttributeName": "n", "AttributeType": "N"}],
            GlobalSecondaryIndexes=[{"IndexName": "byTag",
                                     "KeySchema": [{"AttributeName": "tag", "KeyType": "HASH"},
                                                   {"AttributeName": "n", "KeyType": "RANGE"}],
                                     "Projection": {"ProjectionType": "ALL"}}])
        for i in range(6):
            self.dynamodb.put_item(TableName="dp_gsi", Item={"pk": {"S": "k%d" % i}, "tag": {"S": "red" if i % 2 else "blue"},
                                                             "n": {"N": str(i)}})
        pages = self.dynamodb.get_paginator("query").paginate(
            TableName="dp_gsi", IndexName="byTag", KeyConditionExpression="tag = :t",
            ExpressionAttributeValues={":t": {"S": "red"}}, ScanIndexForward=False, Limit=2)
        found = [item["pk"]["S"] for page in pages for item in page["Items"]]
        self.assertEqual(found, ["k5", "k3", "k1"])
        r = self.dynamodb.scan(TableName="dp_gsi", IndexName="byTag", Select="COUNT")
        self.assertEqual(r["Count"], 6)
        err = self.assertClientError("ValidationException", self.dynamodb.query, TableName="dp_gsi", IndexName="byTag",
                                     ConsistentRead=True, KeyConditionExpression="tag = :t",
                                     ExpressionAttributeValues={":t": {"S": "red"}})
        self.assertMessage(err, "Consistent reads are not supported on global secondary indexes")

    def test_scan_segments(self):
        t = self._table("dp_scan")
        with t.batch_writer() as batch:
            for i in range(40):
                batch.put_item(Item={"pk": "k%02d" % i, "n": i})
        found = []
        for segment in range(4):
            kwargs = {}
            while True:
                r = t.scan(Segment=segment, TotalSegments=4, Limit=5, **kwargs)
                found += [i["pk"] for i in r["Items"]]
                if "LastEvaluatedKey" not in r:
                    break
                kwargs = {"ExclusiveStartKey": r["LastEvaluatedKey"]}
        self.assertEqual(sorted(found), ["k%02d" % i for i in range(40)])
        r = t.scan(FilterExpression=Attr("n").gte(30))
        self.assertEqual((r["Count"], r["ScannedCount"]), (10, 40))

    def test_batches_and_errors(self):
        self._table("dp_batch")
        r = self.dynamodb.batch_write_item(RequestItems={"dp_batch": [
            {"PutRequest": {"Item": {"pk": {"S": "k%d" % i}}}} for i in range(25)]})
        self.assertEqual(r["UnprocessedItems"], {})
        err = self.assertClientError("ValidationException", self.dynamodb.batch_write_item, RequestItems={
            "dp_batch": [{"PutRequest": {"Item": {"pk": {"S": "k%d" % i}}}} for i in range(26)]})
        self.assertIn("Member must have length less than or equal to 25", err.response["Error"]["Message"])
        err = self.assertClientError("ValidationException", self.dynamodb.batch_write_item, RequestItems={
            "dp_batch": [{"PutRequest": {"Item": {"pk": {"S": "x"}}}}, {"DeleteRequest": {"Key": {"pk": {"S": "x"}}}}]})
        self.assertMessage(err, "Provided list of item keys contains duplicates")
        r = self.dynamodb.batch_get_item(RequestItems={"dp_batch": {
            "Keys": [{"pk": {"S": "k%d" % i}} for i in range(30)], "ProjectionExpression": "pk"}})
        self.assertEqual(len(r["Responses"]["dp_batch"]), 25)
        self.assertEqual(r["UnprocessedKeys"], {})
        err = self.assertClientError("ValidationException", self.dynamodb.get_item, TableName="x",
                                     Key={"pk": {"S": "a"}})
        self.assertMessage(err, "1 validation error detected: Value 'x' at 'tableName' failed to satisfy "
                                "constraint: Member must have length greater than or equal to 3")
        err = self.assertClientError("ValidationException", self.dynamodb.get_item, TableName="dp_batch",
                                     Key={"id": {"S": "a"}})
        self.assertMessage(err, "The provided key element does not match the schema")
        err = self.assertClientError("ValidationException", self.dynamodb.put_item, TableName="dp_batch",
                                     Item={"pk": {"S": "a"}}, ConditionExpression="status = :s",
                                     ExpressionAttributeValues={":s": {"S": "x"}})
        self.assertMessage(err, "Invalid ConditionExpression: Attribute name is a reserved keyword; "
                                "reserved keyword: status")
        err = self.assertClientError("ValidationException", self.dynamodb.put_item, TableName="dp_batch",
                                     Item={"pk": {"S": "a"}}, ConditionExpression="attribute_exists(pk)",
                                     ExpressionAttributeValues={":s": {"S": "x"}})
        self.assertMessage(err, "Value provided in ExpressionAttributeValues unused in expressions: keys: {:s}")
        self.assertClientError("ResourceNotFoundException", self.dynamodb.get_item, TableName="nosuchtable",
                               Key={"pk": {"S": "a"}})

    def test_aws_cli(self):
        self._table("dp_cli")
        self.aws_cli("dynamodb", "put-item", "--table-name", "dp_cli", "--item", '{"pk":{"S":"c"},"n":{"N":"1"}}')
        out = self.aws_cli("dynamodb", "get-item", "--table-name", "dp_cli", "--key", '{"pk":{"S":"c"}}')
        self.assertEqual(out["Item"], {"pk": {"S": "c"}, "n": {"N": "1"}})
        out = self.aws_cli("dynamodb", "scan", "--table-name", "dp_cli")
        self.assertEqual(out["Count"], 1)


if __name__ == "__main__":
    harness.main()
