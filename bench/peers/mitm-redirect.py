# mitmproxy addon for the benchmark: send every intercepted request to the bench backend over
# plain HTTP, as aibridge's proxy sends decrypted requests to the bridge.
import os
from mitmproxy import http

BACKEND_PORT = int(os.environ["BENCH_BACKEND_PORT"])


def request(flow: http.HTTPFlow) -> None:
    flow.request.scheme = "http"
    flow.request.host = "127.0.0.1"
    flow.request.port = BACKEND_PORT
