"""boto3 and the AWS CLI against `tributary up`: the DynamoDB control plane (tables, waiters,
secondary indexes, UpdateTable, TTL, tags) and transactions, with errors checked as botocore
ClientError codes and messages."""

import time

import harness
from boto3.dynamodb.conditions import Key


def _resource(endpoint):
    return harness.boto3.session.Session().resource(
        "dynamodb", endpoint_url=endpoint, region_name=harness.REGION,
        aws_access_key_id=harness.DUMMY_CREDENTIALS[0],
        aws_secret_access_key=harness.DUMMY_CREDENTIALS[1])


class ControlPlaneTest(harness.TributaryTestCase):
    SHARED_SERVER = True

    def setUp(self):
        super().setUp()
        self.require_operations("CreateTable", "DescribeTable", "DeleteTable", "ListTables", "UpdateTable")

    def assertMessage(self, err, message):
        self.assertEqual(err.response["Error"]["Message"], message)

    def test_create_describe_list_delete_with_waiters(self):
        ddb = self.dynamodb
        desc = ddb.create_table(
            TableName="cp_orders",
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "sk", "AttributeType": "N"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
            Tags=[{"Key": "env", "Value": "test"}])["TableDescription"]
        self.assertEqual(desc["TableStatus"], "CREATING")
        self.assertEqual(desc["TableArn"], "arn:aws:dynamodb:us-east-1:000000000000:table/cp_orders")
        self.assertTrue(desc["LatestStreamArn"].startswith(desc["TableArn"] + "/stream/"))
        ddb.get_waiter("table_exists").wait(TableName="cp_orders", WaiterConfig={"Delay": 1, "MaxAttempts": 5})
        table = ddb.describe_table(TableName="cp_orders")["Table"]
        self.assertEqual(table["TableStatus"], "ACTIVE")
        self.assertEqual(table["BillingModeSummary"]["BillingMode"], "PAY_PER_REQUEST")
        self.assertEqual(table["KeySchema"][1], {"AttributeName": "sk", "KeyType": "RANGE"})
        self.assertIn("CreationDateTime", table)  # parsed by botocore as a datetime

        with self.assertRaises(ddb.exceptions.ResourceInUseException) as e:
            self.create_table("cp_orders")
        self.assertMessage(e.exception, "Table already exists: cp_orders")

        for name in ("cp_a1", "cp_a2", "cp_a3"):
            self.create_table(name)
        names = []
        for page in ddb.get_paginator("list_tables").paginate(PaginationConfig={"PageSize": 2}):
            names.extend(page["TableNames"])
        mine = {"cp_a1", "cp_a2", "cp_a3", "cp_orders"}  # the server is shared with the class's other tests
        self.assertEqual([n for n in names if n in mine], ["cp_a1", "cp_a2", "cp_a3", "cp_orders"])
        self.assertEqual(names, sorted(names))

        ddb.delete_table(TableName="cp_a3")
        ddb.get_waiter("table_not_exists").wait(TableName="cp_a3", WaiterConfig={"Delay": 1, "MaxAttempts": 5})
        with self.assertRaises(ddb.exceptions.ResourceNotFoundException) as e:
            ddb.describe_table(TableName="cp_a3")
        self.assertMessage(e.exception, "Requested resource not found: Table: cp_a3 not found")

    def test_validation_messages(self):
        ddb = self.dynamodb
        with self.assertRaises(ddb.exceptions.ClientError) as e:
            ddb.create_table(TableName="cp_bad", AttributeDefinitions=[{"AttributeName": "x", "AttributeType": "S"}],
                             KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST")
        self.assertEqual(e.exception.response["Error"]["Code"], "ValidationException")
        self.assertMessage(e.exception, "One or more parameter values were invalid: Some index key attributes are not "
                                        "defined in AttributeDefinitions. Keys: [id], AttributeDefinitions: [x]")
        with self.assertRaises(ddb.exceptions.ClientError) as e:
            ddb.create_table(TableName="cp_bad", AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                             KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}], BillingMode="PROVISIONED")
        self.assertMessage(e.exception, "One or more parameter values were invalid: ReadCapacityUnits and "
                                        "WriteCapacityUnits must both be specified when BillingMode is PROVISIONED")

    def test_secondary_indexes_query_and_update_table(self):
        ddb = self.dynamodb
        ddb.create_table(
            TableName="cp_idx",
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "sk", "AttributeType": "N"},
                                  {"AttributeName": "status", "AttributeType": "S"},
                                  {"AttributeName": "amount", "AttributeType": "N"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            BillingMode="PAY_PER_REQUEST",
            GlobalSecondaryIndexes=[{"IndexName": "by_status",
                                     "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"},
                                                   {"AttributeName": "amount", "KeyType": "RANGE"}],
                                     "Projection": {"ProjectionType": "ALL"}}],
            LocalSecondaryIndexes=[{"IndexName": "by_amount",
                                    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                                  {"AttributeName": "amount", "KeyType": "RANGE"}],
                                    "Projection": {"ProjectionType": "KEYS_ONLY"}}])
        ddb.get_waiter("table_exists").wait(TableName="cp_idx", WaiterConfig={"Delay": 1, "MaxAttempts": 5})
        t = _resource(self.endpoint).Table("cp_idx")
        for i in range(6):
            item = {"pk": "p", "sk": i, "amount": 100 - i, "note": "n%d" % i}
            if i % 2 == 0:
                item["status"] = "OPEN"
            t.put_item(Item=item)
        if not self.has_operation("DynamoDB_20120810.Query"):
            self.skipTest("Query not served yet")
        r = t.query(IndexName="by_status", KeyConditionExpression=Key("status").eq("OPEN"))
        self.assertEqual([it["sk"] for it in r["Items"]], [4, 2, 0])  # by amount, ascending
        r = t.query(IndexName="by_status", KeyConditionExpression=Key("status").eq("OPEN"), Limit=1)
        self.assertEqual(set(r["LastEvaluatedKey"]), {"pk", "sk", "status", "amount"})
        r = t.query(IndexName="by_amount", KeyConditionExpression=Key("pk").eq("p") & Key("amount").gte(98))
        self.assertEqual([it["sk"] for it in r["Items"]], [2, 1, 0])
        self.assertNotIn("note", r["Items"][0])  # KEYS_ONLY

        desc = ddb.describe_table(TableName="cp_idx")["Table"]
        gsi = desc["GlobalSecondaryIndexes"][0]
        self.assertEqual((gsi["IndexName"], gsi["IndexStatus"], gsi["ItemCount"]), ("by_status", "ACTIVE", 3))
        self.assertEqual(desc["LocalSecondaryIndexes"][0]["ItemCount"], 6)

        ddb.update_table(
            TableName="cp_idx", AttributeDefinitions=[{"AttributeName": "note", "AttributeType": "S"}],
            GlobalSecondaryIndexUpdates=[{"Create": {"IndexName": "by_note",
                                                     "KeySchema": [{"AttributeName": "note", "KeyType": "HASH"}],
                                                     "Projection": {"ProjectionType": "KEYS_ONLY"}}}])
        r = t.query(IndexName="by_note", KeyConditionExpression=Key("note").eq("n3"))
        self.assertEqual([it["sk"] for it in r["Items"]], [3])
        ddb.update_table(TableName="cp_idx", GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "by_note"}}])
        names = [i["IndexName"] for i in ddb.describe_table(TableName="cp_idx")["Table"]["GlobalSecondaryIndexes"]]
        self.assertEqual(names, ["by_status"])

    def test_ttl_and_tags(self):
        ddb = self.dynamodb
        arn = self.create_table("cp_ttl")["TableArn"]
        self.assertEqual(ddb.describe_time_to_live(TableName="cp_ttl")["TimeToLiveDescription"],
                         {"TimeToLiveStatus": "DISABLED"})
        r = ddb.update_time_to_live(TableName="cp_ttl",
                                    TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"})
        self.assertEqual(r["TimeToLiveSpecification"], {"Enabled": True, "AttributeName": "expires"})
        self.assertEqual(ddb.describe_time_to_live(TableName="cp_ttl")["TimeToLiveDescription"],
                         {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires"})
        with self.assertRaises(ddb.exceptions.ClientError) as e:
            ddb.update_time_to_live(TableName="cp_ttl",
                                    TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"})
        self.assertMessage(e.exception, "TimeToLive is already enabled")

        if self.has_operation("DynamoDB_20120810.PutItem"):
            now = int(time.time())
            ddb.put_item(TableName="cp_ttl", Item={"pk": {"S": "old"}, "expires": {"N": str(now - 60)}})
            ddb.put_item(TableName="cp_ttl", Item={"pk": {"S": "new"}, "expires": {"N": str(now + 3600)}})
            deadline = time.time() + 25  # the sweeper runs every ~10 s
            while time.time() < deadline and "Item" in ddb.get_item(TableName="cp_ttl", Key={"pk": {"S": "old"}}):
                time.sleep(0.5)
            self.assertNotIn("Item", ddb.get_item(TableName="cp_ttl", Key={"pk": {"S": "old"}}))
            self.assertIn("Item", ddb.get_item(TableName="cp_ttl", Key={"pk": {"S": "new"}}))

        ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "team", "Value": "data"}, {"Key": "env", "Value": "dev"}])
        ddb.untag_resource(ResourceArn=arn, TagKeys=["env"])
        self.assertEqual(ddb.list_tags_of_resource(ResourceArn=arn)["Tags"], [{"Key": "team", "Value": "data"}])
        out = self.aws_cli("dynamodb", "list-tags-of-resource", "--resource-arn", arn)
        self.assertEqual(out["Tags"], [{"Key": "team", "Value": "data"}])
        with self.assertRaises(ddb.exceptions.ResourceNotFoundException):
            ddb.list_tags_of_resource(ResourceArn=arn.replace("cp_ttl", "cp_none"))

    def test_cli_create_and_describe(self):
        out = self.aws_cli(
            "dynamodb", "create-table", "--table-name", "cp_cli",
            "--attribute-definitions", "AttributeName=id,AttributeType=S",
            "--key-schema", "AttributeName=id,KeyType=HASH", "--billing-mode", "PAY_PER_REQUEST")
        self.assertEqual(out["TableDescription"]["TableName"], "cp_cli")
        self.aws_cli("dynamodb", "wait", "table-exists", "--table-name", "cp_cli")
        out = self.aws_cli("dynamodb", "describe-table", "--table-name", "cp_cli")
        self.assertEqual(out["Table"]["TableStatus"], "ACTIVE")


class TransactionsTest(harness.TributaryTestCase):
    SHARED_SERVER = True

    def setUp(self):
        super().setUp()
        self.require_operations("CreateTable", "PutItem", "GetItem", "TransactWriteItems", "TransactGetItems")

    def test_transact_write_and_get(self):
        ddb = self.dynamodb
        self.create_table("tx_acc")
        ddb.put_item(TableName="tx_acc", Item={"pk": {"S": "a"}, "n": {"N": "10"}})
        items = [
            {"Update": {"TableName": "tx_acc", "Key": {"pk": {"S": "a"}}, "UpdateExpression": "ADD n :m",
                        "ConditionExpression": "n >= :amt",
                        "ExpressionAttributeValues": {":m": {"N": "-4"}, ":amt": {"N": "4"}}}},
            {"Put": {"TableName": "tx_acc", "Item": {"pk": {"S": "b"}, "n": {"N": "4"}},
                     "ConditionExpression": "attribute_not_exists(pk)"}},
        ]
        ddb.transact_write_items(TransactItems=items, ClientRequestToken="tok-e2e-1")
        ddb.transact_write_items(TransactItems=items, ClientRequestToken="tok-e2e-1")  # idempotent: not re-applied
        got = ddb.transact_get_items(TransactItems=[{"Get": {"TableName": "tx_acc", "Key": {"pk": {"S": "a"}}}},
                                                    {"Get": {"TableName": "tx_acc", "Key": {"pk": {"S": "b"}}}},
                                                    {"Get": {"TableName": "tx_acc", "Key": {"pk": {"S": "c"}}}}])
        self.assertEqual([r.get("Item", {}).get("n") for r in got["Responses"]], [{"N": "6"}, {"N": "4"}, None])

        with self.assertRaises(ddb.exceptions.TransactionCanceledException) as e:
            ddb.transact_write_items(TransactItems=items)
        err = e.exception.response
        self.assertEqual(err["Error"]["Message"], "Transaction cancelled, please refer cancellation reasons for "
                                                  "specific reasons [None, ConditionalCheckFailed]")
        self.assertEqual([r["Code"] for r in err["CancellationReasons"]], ["None", "ConditionalCheckFailed"])
        self.assertEqual(ddb.get_item(TableName="tx_acc", Key={"pk": {"S": "a"}})["Item"]["n"], {"N": "6"})

        with self.assertRaises(ddb.exceptions.IdempotentParameterMismatchException):
            ddb.transact_write_items(TransactItems=items[:1], ClientRequestToken="tok-e2e-1")
        with self.assertRaises(ddb.exceptions.ClientError) as e:
            ddb.transact_write_items(TransactItems=[
                {"Put": {"TableName": "tx_acc", "Item": {"pk": {"S": "x"}}}},
                {"Delete": {"TableName": "tx_acc", "Key": {"pk": {"S": "x"}}}}])
        self.assertEqual(e.exception.response["Error"]["Message"],
                         "Transaction request cannot include multiple operations on one item")


if __name__ == "__main__":
    harness.main()
