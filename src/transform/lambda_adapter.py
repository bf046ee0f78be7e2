# Tributary's Lambda adapter: runs a user's unchanged Python Lambda handler in a long-lived worker
# process for the `lambda` processor (src/transform/lambda_processor.h). Embedded in the tributary
# binary at build time and written next to the worker's log when the processor starts.
#
#   python3 lambda_adapter.py <settings-json>
#
# Protocol: fd 3 is a Unix stream socket to tributary. Every frame is a 4-byte big-endian length
# followed by that many bytes; frames from the adapter start with one kind byte:
#   S {}                       the handler was imported; ready for invocations
#   R <handler result as JSON> one invocation's result
#   E {"errorType", "errorMessage", "stackTrace"}   import or invocation error
# Requests are {"event": <Firehose event>, "context": {"aws_request_id", "timeout_ms"}}.
# stdin is /dev/null; stdout and stderr (print(), logging, tracebacks) go to the worker's log, so
# nothing the handler writes can reach the protocol.
import importlib
import json
import logging
import os
import socket
import struct
import sys
import time
import traceback

_FD = 3


class LambdaContext:
    """The attributes and method of the AWS Lambda Python context object."""

    def __init__(self, settings, request):
        self.function_name = settings["function_name"]
        self.function_version = "$LATEST"
        self.invoked_function_arn = settings["function_arn"]
        self.memory_limit_in_mb = str(settings["memory_mb"])
        self.aws_request_id = request["aws_request_id"]
        self.log_group_name = "/aws/lambda/" + self.function_name
        self.log_stream_name = settings["log_stream_name"]
        self.identity = None
        self.client_context = None
        self._deadline = time.monotonic() + request["timeout_ms"] / 1000.0

    def get_remaining_time_in_millis(self):
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def _read_exact(sock, n):
    chunks = []
    while n > 0:
        chunk = sock.recv(min(n, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def _send(sock, kind, payload):
    sock.sendall(struct.pack(">I", len(payload) + 1) + kind + payload)


def _error(exc):
    return json.dumps({
        "errorType": type(exc).__name__,
        "errorMessage": str(exc),
        "stackTrace": traceback.format_exc(),
    }).encode()


def main():
    settings = json.loads(sys.argv[1])
    sock = socket.socket(fileno=_FD)
    os.environ.update(settings["environment"])
    code_dir = settings["code_dir"]
    os.chdir(code_dir)
    sys.path.insert(0, code_dir)
    logging.basicConfig(stream=sys.stdout, level=logging.WARNING,
                        format="[%(levelname)s]\t%(asctime)s\t%(name)s\t%(message)s")
    try:
        module_name, _, function = settings["handler"].rpartition(".")
        if not module_name:
            raise ValueError("handler '%s' is not <module>.<function>" % settings["handler"])
        handler = getattr(importlib.import_module(module_name.replace("/", ".")), function)
    except BaseException as exc:  # noqa: B902 - report anything, including SystemExit
        traceback.print_exc()
        _send(sock, b"E", _error(exc))
        return 1
    _send(sock, b"S", b"{}")
    while True:
        header = _read_exact(sock, 4)
        if header is None:
            return 0  # tributary closed the socket: shut down
        body = _read_exact(sock, struct.unpack(">I", header)[0])
        if body is None:
            return 0
        request = json.loads(body)
        context = LambdaContext(settings, request["context"])
        print("START RequestId: %s Version: $LATEST" % context.aws_request_id, flush=True)
        try:
            result = handler(request["event"], context)
            payload = json.dumps(result, separators=(",", ":")).encode()
        except BaseException as exc:  # noqa: B902
            traceback.print_exc()
            payload = None
            error = _error(exc)
        sys.stdout.flush()
        sys.stderr.flush()
        print("END RequestId: %s" % context.aws_request_id, flush=True)
        if payload is None:
            _send(sock, b"E", error)
        else:
            _send(sock, b"R", payload)


if __name__ == "__main__":
    sys.exit(main())
