"""An OAuth app-only mailbox (client credentials at the local OAuth server,
tests/oauth-peer) whose bearer token EWS rejects once with HTTP 401: the daemon
gets a new token, carries on, and every mail fires exactly once. The client
secret is handed over by the environment, so the harness's secret scan
checks the log for it."""
import json
import os
import re
import shutil
import subprocess
import unittest
import urllib.request

from e2e_harness import HERE, MAILBOX, MAILBOX_ID, E2ETestCase, EwsSim, record_action, settle, wait_until, write_config

SERVER = os.path.join(HERE, "..", "oauth-peer", "server.mjs")
PEERS = os.path.join(HERE, "..", "peers", "node_modules")
TENANT = "e2e-tenant"
CLIENT_SECRET = "cc-secret-value"  # the server's fixed secret for client cc-secret


class OAuthPeer:
    """node tests/oauth-peer/server.mjs with JWT access tokens ews-sim can verify."""

    def __init__(self, workdir):
        self.log_path = os.path.join(workdir, "oauth-peer.log")
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(["node", SERVER, "--tenant", TENANT, "--jwt-access-tokens"],
                                     stdout=self._log, stderr=subprocess.STDOUT)
        found = wait_until(self._ready, 60, "the OAuth server to listen")
        self.base, self.issuer = found.group(1), found.group(2)

    def _ready(self):
        with open(self.log_path, "r", errors="replace") as f:
            found = re.search(r"listening on (\S+) issuer (\S+)", f.read())
        if not found and self.proc.poll() is not None:
            raise AssertionError(f"the OAuth server exited with {self.proc.returncode}")
        return found

    def get(self, url):
        with urllib.request.urlopen(url, timeout=10) as resp:
            return json.loads(resp.read())

    def token_requests(self):
        return sum(self.get(self.base + "/test/stats")["token_requests"].values())

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        self._log.close()


@unittest.skipUnless(shutil.which("node") and os.path.isdir(PEERS), "needs node and tests/peers (install-deps.sh)")
class OAuthFaultsTest(E2ETestCase):
    def setUp(self):
        super().setUp()
        self.peer = OAuthPeer(self.dir)
        self.addCleanup(self.peer.stop)
        jwks = self.peer.get(self.peer.issuer + "/.well-known/openid-configuration")["jwks_uri"]
        self.sim.stop()  # this one verifies the peer's JWTs instead of passwords
        self.sim = EwsSim(self.dir, extra_args=["--jwks-url", jwks, "--issuer", self.peer.issuer,
                                                "--audience", "https://outlook.office365.com"])

    def test_rejected_token_is_replaced_and_every_mail_fires_once(self):
        config = {
            "state_dir": self.state_dir,
            "log": {"level": "info", "format": "text"},
            "metrics": {"listen": "127.0.0.1:0"},
            "mailboxes": [{"id": MAILBOX_ID, "address": MAILBOX, "ews_url": self.sim.ews_url,
                           "auth": {"kind": "oauth-app", "tenant_id": TENANT, "client_id": "cc-secret",
                                    "client_secret": "${env:E2E_CLIENT_SECRET}", "authority": self.peer.base},
                           "watch": {"folders": ["inbox"], "mode": "streaming", "on_start": "catch-up"}}],
            "triggers": [{"name": "record-all", "mailbox": MAILBOX_ID, "when": {"subject": "*"},
                          "actions": [record_action(self.records)]}],
        }
        write_config(self.config_path, config)
        daemon = self.daemon(env={"E2E_CLIENT_SECRET": CLIENT_SECRET}).start(self.sim)
        before = ["before the 401 1", "before the 401 2"]
        for subject in before:
            self.sim.deliver(subject)
        self.wait_for_subjects(before)

        tokens = self.peer.token_requests()
        rejected = self.sim.stats()["unauthorized"]
        self.sim.fault("unauthorized", mailbox=MAILBOX, count=1)
        after = ["after the 401 1", "after the 401 2", "after the 401 3"]
        for subject in after:
            self.sim.deliver(subject)
        self.wait_for_subjects(after, timeout=30)
        settle()
        self.assertGreater(self.sim.stats()["unauthorized"], rejected, "the 401 was really sent")
        self.assertGreater(self.peer.token_requests(), tokens, "the daemon asked for a new token after the 401")
        self.assertTrue(daemon.alive())
        self.assert_exactly_once(before + after)


if __name__ == "__main__":
    unittest.main()
