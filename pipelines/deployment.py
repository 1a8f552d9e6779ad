"""The scheduled deployment: the quarterly refresh at 06:00 on the 15th of Jan, Apr, Jul and Oct
(extracts for a quarter arrive in the fortnight after it ends).

    make serve          # or: .venv/bin/python pipelines/deployment.py

starts a Prefect server (UI at http://127.0.0.1:4200) and serves the deployment; runs and their
summary artifacts appear in the UI. Trigger one now with
``prefect deployment run 'quarterly-refresh/scp-quarterly-refresh'``.
"""

from __future__ import annotations

from pipelines.quarterly_refresh import quarterly_refresh
from scp_metrics.settings import prefect_api_url

DEPLOYMENT_NAME = "scp-quarterly-refresh"
QUARTERLY_CRON = "0 6 15 1,4,7,10 *"


def build_deployment():  # type: ignore[no-untyped-def]
    """The deployment object (used by ``serve`` and by the test that the definition loads)."""
    return quarterly_refresh.to_deployment(
        name=DEPLOYMENT_NAME,
        cron=QUARTERLY_CRON,
        description="Quarterly refresh of the scp-metrics warehouse from data/raw extracts.",
        tags=["scp-metrics", "quarterly"],
    )


def wait_for_server(api_url: str, seconds: float = 120.0) -> None:
    """Block until the Prefect API answers its health check (the server takes a while to start)."""
    import time
    import urllib.request

    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(f"{api_url.rstrip('/')}/health", timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"the Prefect server at {api_url} did not start within {seconds:.0f} s")
        time.sleep(1)


if __name__ == "__main__":
    from prefect import serve

    api = prefect_api_url()
    if api:
        print(f"waiting for the Prefect server at {api} …", flush=True)
        wait_for_server(api)
    print("serving deployment quarterly-refresh/scp-quarterly-refresh "
          f"(cron {QUARTERLY_CRON}); Ctrl-C to stop", flush=True)
    serve(build_deployment())
