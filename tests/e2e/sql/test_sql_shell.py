"""`tributary sql` end to end: -e and stdin scripts, output formats and Parquet, the line editor
and history on a pseudo-terminal, and every sandbox vector refused from the command line.

The data directory is filled once by `tributary demo` (a few seconds of the seed pipeline)."""
import os
import pty
import select
import shutil
import subprocess
import tempfile
import time
import unittest

BIN = os.environ.get("TRIBUTARY_BIN", os.path.join(os.path.dirname(__file__), "../../../build/tributary"))
TABLE = "p1_kinesis_firehose_destination"


def run(*args, stdin=None, timeout=60):
    return subprocess.run([BIN, *args], input=stdin, capture_output=True, text=True, timeout=timeout)


class SqlShellTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="tributary-sql-e2e-")
        cls.data = os.path.join(cls.tmp, "data")
        demo = run("demo", "--data-dir", cls.data, "--duration", "2", "--rate", "300", "--quiet", timeout=120)
        assert demo.returncode == 0, demo.stderr
        cls.lake = os.path.join(cls.data, "lake")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def sql(self, text, *extra):
        return run("sql", "--data-dir", self.data, "-e", text, *extra)

    def test_execute_formats_and_views(self):
        r = self.sql("SELECT cdc_event_type, count(*) AS n FROM %s GROUP BY 1 ORDER BY 1;" % TABLE, "--format", "csv")
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.splitlines()
        self.assertEqual(lines[0], "cdc_event_type,n")
        counts = {l.split(",")[0]: int(l.split(",")[1]) for l in lines[1:]}
        self.assertGreater(counts["INSERT"], 0)
        # Current state and history agree with the change counts.
        r = self.sql(".mode csv\nSELECT (SELECT count(*) FROM %s_current), (SELECT count(*) FROM %s_history);"
                     % (TABLE, TABLE))
        self.assertEqual(r.returncode, 0, r.stderr)
        current, history = map(int, r.stdout.splitlines()[1].split(","))
        self.assertEqual(current, counts["INSERT"] - counts.get("REMOVE", 0))
        self.assertEqual(history, counts["INSERT"] + counts.get("MODIFY", 0))
        r = self.sql("SELECT 7 / 2 AS q, date_diff('hour', TIMESTAMP '2024-01-01 10:59', "
                     "TIMESTAMP '2024-01-01 11:01') AS h", "--format", "json")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), '[{"q":3,"h":0}]')

    def test_stdin_script_with_multiline_statements_and_dot_commands(self):
        script = ".tables\n.schema %s\n.mode csv\nSELECT\n  count(*) AS n\nFROM %s_current\n;\n" % (TABLE, TABLE)
        r = run("sql", "--data-dir", self.data, stdin=script)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(TABLE + "_history\n", r.stdout)
        self.assertIn("  cdc_event_type VARCHAR,", r.stdout)
        self.assertIn("\nn\n", r.stdout)
        # A script stops at its first error, with exit code 1.
        r = run("sql", "--data-dir", self.data, stdin="SELECT nope;\nSELECT 'after' AS a;\n")
        self.assertEqual(r.returncode, 1)
        self.assertIn("Error:", r.stderr)
        self.assertNotIn("after", r.stdout)

    def test_parquet_output(self):
        out = os.path.join(self.tmp, "result.parquet")
        r = self.sql("SELECT * FROM %s_current ORDER BY order_id" % TABLE, "--output", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("rows to " + out, r.stderr)
        with open(out, "rb") as f:
            data = f.read()
        self.assertEqual(data[:4], b"PAR1")
        self.assertEqual(data[-4:], b"PAR1")
        # The user's SQL itself still cannot write it, nor read it back (outside the lake).
        r = self.sql("COPY (SELECT 1) TO '%s' (FORMAT parquet)" % out)
        self.assertEqual(r.returncode, 1)
        r = self.sql("SELECT * FROM read_parquet('%s')" % out)
        self.assertEqual(r.returncode, 1)
        self.assertIn("Permission Error", r.stderr)
        # And the CLI will not write into the lake.
        r = self.sql("SELECT 1", "--output", os.path.join(self.lake, "x.parquet"))
        self.assertNotEqual(r.returncode, 0)
        self.assertFalse(os.path.exists(os.path.join(self.lake, "x.parquet")))

    def test_sandbox_vectors_from_the_cli(self):
        outside = os.path.join(self.tmp, "outside")
        os.makedirs(outside, exist_ok=True)
        secret = os.path.join(outside, "secret.csv")
        with open(secret, "w") as f:
            f.write("top,secret\n")
        written = [os.path.join(outside, "w.csv"), os.path.join(self.lake, "w.csv"),
                   os.path.join(outside, "x.db"), os.path.join(self.lake, "export"),
                   os.path.join(self.lake, "logs")]
        vectors = [
            "COPY (SELECT 1) TO '%s'" % written[0],
            "COPY (SELECT 1) TO '%s'" % written[1],
            "EXPORT DATABASE '%s'" % written[3],
            "ATTACH '%s' AS x" % written[2],
            "INSTALL httpfs",
            "LOAD httpfs",
            "SET enable_external_access = true",
            "SET allowed_directories = ['/']",
            "SET lock_configuration = false",
            "RESET lock_configuration",
            "PRAGMA enable_profiling",
            "CALL enable_profiling()",
            "SELECT * FROM enable_logging(storage := 'file', storage_path := '%s')" % written[4],
            "CREATE TABLE t AS SELECT 1",
            "SELECT * FROM read_csv('/etc/passwd')",
            "SELECT * FROM read_text('%s')" % secret,
            "SELECT * FROM read_blob('%s')" % secret,
            "SELECT * FROM '%s'" % secret,
            "SELECT * FROM glob('%s/*')" % outside,
            "SELECT * FROM read_text('%s/../outside/secret.csv')" % self.lake,
            "SELECT * FROM read_csv('https://example.com/x.csv')",
            "SELECT * FROM query('SELECT 1')",
        ]
        for sql in vectors:
            for command in (["sql", "--data-dir", self.data, "-e", sql],
                            ["query", "--data-dir", self.data, sql]):
                r = run(*command)
                self.assertNotEqual(r.returncode, 0, "%s: %s" % (command[0], sql))
                self.assertNotIn("secret", r.stdout, sql)
        for path in written:
            self.assertFalse(os.path.exists(path), path)
        # Control: the lake itself is readable directly.
        r = self.sql("SELECT count(*) > 0 FROM read_text('%s/**/*.json')" % self.lake, "--format", "csv")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.splitlines()[1], "true")


class PtyShellTest(unittest.TestCase):
    """The interactive shell on a pseudo-terminal: history recall and editing with libedit."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="tributary-sql-pty-")
        cls.data = os.path.join(cls.tmp, "data")
        demo = run("demo", "--data-dir", cls.data, "--duration", "1", "--rate", "100", "--quiet", timeout=120)
        assert demo.returncode == 0, demo.stderr

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def read_until(self, fd, needle, timeout=20):
        deadline = time.time() + timeout
        while needle not in self.screen:
            left = deadline - time.time()
            if left <= 0:
                self.fail("timed out waiting for %r; screen so far:\n%s" % (needle, self.screen))
            ready, _, _ = select.select([fd], [], [], left)
            if ready:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:
                    chunk = b""
                if not chunk:
                    self.fail("shell exited waiting for %r; screen:\n%s" % (needle, self.screen))
                self.screen += chunk.decode("utf-8", "replace")

    def test_line_editing_history_and_multiline(self):
        history = os.path.join(self.tmp, "history")
        pid, fd = pty.fork()
        if pid == 0:
            os.environ["TERM"] = "xterm"
            os.execv(BIN, [BIN, "sql", "--data-dir", self.data, "--history", history])
        self.screen = ""
        try:
            self.read_until(fd, "tributary> ")
            os.write(fd, b"SELECT 40 + 1 AS x;\r")
            self.read_until(fd, "(1 row)")
            self.read_until(fd, "tributary> ")
            # Up arrow recalls the line; two backspaces drop ';' and 'x'; type a new ending.
            self.screen = ""
            os.write(fd, b"\x1b[A")
            self.read_until(fd, "SELECT 40 + 1 AS x;")
            os.write(fd, b"\x7f\x7fyy;\r")
            self.read_until(fd, "(1 row)")
            self.assertIn(" yy", self.screen)
            self.assertIn("41", self.screen)
            # Ctrl-A moves to the start of the line: insert there.
            self.screen = ""
            os.write(fd, b"1 AS one;\x01SELECT \r")
            self.read_until(fd, "(1 row)")
            self.assertIn(" one", self.screen)
            # A statement over two lines shows the continuation prompt.
            self.screen = ""
            os.write(fd, b"SELECT count(*) AS n\r")
            self.read_until(fd, "...> ")
            os.write(fd, b"FROM %s;\r" % TABLE.encode())
            self.read_until(fd, "(1 row)")
            os.write(fd, b".quit\r")
            _, status = os.waitpid(pid, 0)
            pid = 0
            self.assertEqual(os.waitstatus_to_exitcode(status), 0)
        finally:
            if pid:
                os.kill(pid, 9)
                os.waitpid(pid, 0)
            os.close(fd)
        with open(history) as f:
            saved = f.read()
        self.assertIn("SELECT 40 + 1 AS yy;", saved.replace("\\040", " "))


if __name__ == "__main__":
    unittest.main()
